package dev.kairos.factory.boot.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.squashfs.SquashfsCompression;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BootMediaOptionsTest {
  @Test
  void defaultsLeaveTheWorkDirectoryAndTheSourceDateToTheTarget() throws Exception {
    BootMediaOptions o = BootMediaOptions.DEFAULTS;
    assertThat(o.workDirectory()).isEmpty();
    assertThat(o.sourceDate()).isEmpty();
    assertThat(o.cloudConfig()).isEmpty();
    assertThat(o.squashfs()).isEmpty();
    assertThat(o.efiLoader()).isEqualTo(EfiLoader.AUTO);
    assertThat(o.toolTimeout()).isEqualTo(BootMediaOptions.DEFAULT_TOOL_TIMEOUT);

    SourceDate imageDate = SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"));
    BuiltImage image = BuiltImage.of(InMemoryRootFs.create(), imageDate);
    assertThat(o.sourceDateFor(image)).isSameAs(imageDate);
    SourceDate own = SourceDate.of(Instant.parse("2024-01-01T00:00:00Z"));
    assertThat(o.toBuilder().sourceDate(own).build().sourceDateFor(image)).isSameAs(own);
    assertThat(o.squashfsFor(imageDate).options().compression()).isEqualTo(SquashfsCompression.ZSTD);
    assertThat(o.squashfsFor(imageDate).options().sourceDate()).isSameAs(imageDate);
  }

  @Test
  void buildCopiesAndNeverChangesTheBuilder() {
    BootMediaOptions.Builder b = BootMediaOptions.builder().workDirectory(Path.of("/w"));
    BootMediaOptions first = b.build();
    BootMediaOptions second = b.efiLoader(EfiLoader.HOST_GRUB).cloudConfig("#cloud-config\n").build();
    assertThat(first.efiLoader()).isEqualTo(EfiLoader.AUTO);
    assertThat(first.cloudConfig()).isEmpty();
    assertThat(second.efiLoader()).isEqualTo(EfiLoader.HOST_GRUB);
    assertThat(second.workDirectory()).contains(Path.of("/w"));

    BootMediaOptions changed = second.toBuilder().toolTimeout(Duration.ofSeconds(5)).build();
    assertThat(second.toolTimeout()).isEqualTo(BootMediaOptions.DEFAULT_TOOL_TIMEOUT);
    assertThat(changed.toolTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(changed.cloudConfig()).contains("#cloud-config\n");
  }

  @Test
  void badValuesAreIllegalArgumentsThatEchoThem() {
    assertThatThrownBy(() -> BootMediaOptions.builder().cloudConfig("users: []\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'users: []'");
    assertThatThrownBy(() -> BootMediaOptions.builder().cloudConfig("  \n")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BootMediaOptions.builder().toolTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
  }
}
