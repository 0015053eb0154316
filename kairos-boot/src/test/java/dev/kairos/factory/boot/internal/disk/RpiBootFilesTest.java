package dev.kairos.factory.boot.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RpiBootFilesTest {
  @TempDir Path tmp;

  @Test
  void configTxtStartsUbootIn64BitModeWithTheSerialConsoleOnForEachModel() {
    for (Model model : List.of(Model.RPI3, Model.RPI4)) {
      List<String> settings = RpiBootFiles.configTxt(model).lines().filter(l -> !l.startsWith("#")).toList();
      assertThat(settings).as(model.id())
          .containsExactly("arm_64bit=1", "kernel=u-boot.bin", "enable_uart=1", "upstream_kernel=1");
    }
    assertThat(RpiBootFiles.configTxt(Model.RPI3)).startsWith("# Raspberry Pi 3 (Kairos model rpi3)")
        .contains("bcm2837-rpi-3-b.dtb");
    assertThat(RpiBootFiles.configTxt(Model.RPI4)).startsWith("# Raspberry Pi 4 (Kairos model rpi4)")
        .contains("bcm2711-rpi-4-b.dtb");
    assertThatThrownBy(() -> RpiBootFiles.configTxt(Model.GENERIC)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a Raspberry Pi model: generic");
  }

  @Test
  void eachBoardNeedsItsOwnFirmwareFiles() {
    assertThat(RpiBootFiles.firmwareFiles(Model.RPI3)).containsExactly("bootcode.bin", "start.elf", "fixup.dat");
    assertThat(RpiBootFiles.firmwareFiles(Model.RPI4)).containsExactly("start4.elf", "fixup4.dat");
    assertThatThrownBy(() -> RpiBootFiles.firmwareFiles(Model.NVIDIA_JETSON_THOR))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not a Raspberry Pi model: nvidia-jetson-thor");
    assertThatThrownBy(() -> RpiBootFiles.find(RootFs.at(tmp), Model.GENERIC))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not a Raspberry Pi model: generic");
  }

  @Test
  void aMissingFileNamesThePackageThatShipsIt() throws Exception {
    RootFs root = RootFs.at(Files.createDirectories(tmp.resolve("root")));
    assertThatThrownBy(() -> RpiBootFiles.find(root, Model.RPI4)).isInstanceOf(KairosException.class)
        .hasMessage("the rpi4 boot partition needs the Raspberry Pi firmware, missing "
            + "[/usr/lib/raspi-firmware/start4.elf, /usr/lib/raspi-firmware/fixup4.dat]: install the package "
            + "raspi-firmware (Debian, component non-free-firmware) in the image");

    root.writeString(ImagePath.of("/usr/lib/raspi-firmware/start4.elf"), "x");
    root.writeString(ImagePath.of("/usr/lib/raspi-firmware/fixup4.dat"), "x");
    // The Pi 3's device tree does not serve a Pi 4.
    root.writeString(ImagePath.of("/usr/lib/linux-image-6.1.0-50-arm64/broadcom/bcm2837-rpi-3-b.dtb"), "x");
    assertThatThrownBy(() -> RpiBootFiles.find(root, Model.RPI4)).isInstanceOf(KairosException.class)
        .hasMessage("the rpi4 boot partition needs the board's device tree bcm2711-rpi-4-b.dtb, found in no "
            + "/usr/lib/linux-image-*/broadcom: install the kernel package (Debian: linux-image-arm64) in the image");

    root.writeString(ImagePath.of("/usr/lib/linux-image-6.1.0-50-arm64/broadcom/bcm2711-rpi-4-b.dtb"), "x");
    assertThatThrownBy(() -> RpiBootFiles.find(root, Model.RPI4)).isInstanceOf(KairosException.class)
        .hasMessage("the rpi4 boot partition needs u-boot, which loads EFI/BOOT/BOOTAA64.EFI, found none of "
            + "[/usr/lib/u-boot/rpi_arm64/u-boot.bin, /usr/lib/u-boot/rpi_4/u-boot.bin]: "
            + "install the package u-boot-rpi (Debian) in the image");

    root.writeString(ImagePath.of("/usr/lib/u-boot/rpi_4/u-boot.bin"), "x");
    assertThat(RpiBootFiles.find(root, Model.RPI4)).isNotNull();
    assertThatThrownBy(() -> RpiBootFiles.find(root, Model.RPI3)).isInstanceOf(KairosException.class)
        .hasMessageContaining("missing [/usr/lib/raspi-firmware/bootcode.bin, /usr/lib/raspi-firmware/start.elf, "
            + "/usr/lib/raspi-firmware/fixup.dat]");
  }
}
