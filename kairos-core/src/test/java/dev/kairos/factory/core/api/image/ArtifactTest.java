package dev.kairos.factory.core.api.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactTest {
  @TempDir Path tmp;

  @Test
  void aFilesArtifactHasItsSizeAndSha256() throws Exception {
    Path f = Files.writeString(tmp.resolve("abc"), "abc");
    Artifact a = Artifact.ofFile(ArtifactKind.ISO, f);
    assertThat(a.size()).isEqualTo(3);
    // sha256("abc") from FIPS 180-2's examples
    assertThat(a.digest()).contains("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(a.location()).isEqualTo(f.toString());
  }

  @Test
  void aDirectorysSizeIsTheSumOfItsFiles() throws Exception {
    Files.writeString(Files.createDirectories(tmp.resolve("d/blobs")).resolve("b"), "12345");
    Files.writeString(tmp.resolve("d/index.json"), "{}");
    assertThat(Artifact.directorySize(tmp.resolve("d"))).isEqualTo(7);
  }

  @Test
  void refusesANegativeSize() {
    assertThatThrownBy(() -> new Artifact(ArtifactKind.UKI, "x", -1, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }

  @Test
  void aRootPreparedEarlierIsABuiltImage() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.writeString(ImagePath.of("/etc/kairos-release"), "KAIROS_VERSION=\"v1.2.3\"\n");
    SourceDate date = SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"));
    BuiltImage image = BuiltImage.of(root, date);
    assertThat(image.rootFs()).isSameAs(root);
    assertThat(image.sourceDate()).isEqualTo(date);
    assertThat(image.base()).isEmpty();
    assertThat(image.kairosRelease()).containsEntry("KAIROS_VERSION", "v1.2.3");
  }
}
