package dev.kairos.factory.boot.api.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawDiskTest {
  @TempDir Path tmp;

  @Test
  void everyChangeIsACopy() {
    RawDisk efi = RawDisk.to(tmp.resolve("d.raw"));
    RawDisk bios = efi.bios();
    RawDisk vhd = bios.format(RawDisk.Format.VHD).options(BootMediaOptions.builder().workDirectory(tmp).build());
    assertThat(efi.firmware()).isEqualTo(RawDisk.Firmware.EFI);
    assertThat(efi.format()).isEqualTo(RawDisk.Format.RAW);
    assertThat(bios.firmware()).isEqualTo(RawDisk.Firmware.BIOS);
    assertThat(bios.format()).isEqualTo(RawDisk.Format.RAW);
    assertThat(vhd.firmware()).isEqualTo(RawDisk.Firmware.BIOS);
    assertThat(vhd.format()).isEqualTo(RawDisk.Format.VHD);
    assertThat(vhd.description()).isEqualTo("Azure VHD (BIOS) " + tmp.resolve("d.raw"));
  }

  @Test
  void aRootWithoutBootIsRefusedBeforeAnythingIsWritten() throws Exception {
    RootFs root = RootFs.at(Files.createDirectories(tmp.resolve("root/etc")).getParent());
    root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\n");
    Path disk = tmp.resolve("out/d.raw");
    assertThatThrownBy(() -> RawDisk.to(disk).write(BuiltImage.of(root, SourceDate.of(Instant.EPOCH)), EventListener.NONE))
        .isInstanceOf(KairosException.class).hasMessage("the rootfs has no /boot directory, so no kernel to boot");
    assertThat(tmp.resolve("out")).doesNotExist();
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s).containsExactly(tmp.resolve("root"));
    }
  }
}
