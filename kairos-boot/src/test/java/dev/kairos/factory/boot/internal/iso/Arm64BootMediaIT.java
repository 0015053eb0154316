package dev.kairos.factory.boot.internal.iso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.testing.ElfStub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The boot media of an arm64 image, read back by xorriso, mtools and sfdisk: the live ISO is EFI
 * only (no BIOS El Torito image, no MBR boot code) with {@code EFI/BOOT/BOOTAA64.EFI} (the image's
 * signed shim, GRUB beside it under the name shim loads) and the arm64 serial console in its menu;
 * the raw disk's ESP boots the same way; a BIOS disk is refused. The loaders here are stand-ins
 * (their bytes are their paths): that they boot is {@code Arm64BootIT}'s part.
 */
class Arm64BootMediaIT {
  private static final Duration T = Duration.ofMinutes(1);
  private static final SourceDate DATE = SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"));

  @TempDir
  static Path work;
  static RootFs root;
  static Path iso;

  @BeforeAll
  static void build() throws Exception {
    assumeTrue(HostCommand.available("xorriso") && HostCommand.available("mdir")
        && HostCommand.available("sfdisk") && HostCommand.available("mke2fs"), "host tools missing");
    root = RootFs.at(Files.createDirectory(work.resolve("rootfs")));
    ElfStub.write(root, ImagePath.of("/bin/sh"), ElfStub.EM_AARCH64);
    root.writeString(ImagePath.of("/boot/vmlinuz-6.1.0-28-arm64"), "arm64 kernel");
    root.writeString(ImagePath.of("/boot/initrd.img-6.1.0-28-arm64"), "initrd");
    root.createSymlink(ImagePath.of("/boot/vmlinuz"), "vmlinuz-6.1.0-28-arm64");
    root.writeString(ImagePath.of("/etc/kairos-release"), "KAIROS_FLAVOR=debian\nKAIROS_ARCH=arm64\n");
    for (String f : List.of("/usr/lib/shim/shimaa64.efi.signed", "/usr/lib/grub/arm64-efi-signed/grubaa64.efi.signed",
        "/usr/lib/grub/arm64-efi-signed/gcdaa64.efi.signed",
        // an amd64 pair in the same image must not be taken
        "/usr/lib/shim/shimx64.efi.signed", "/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed")) {
      root.writeString(ImagePath.of(f), f);
    }
    iso = work.resolve("kairos-arm64.iso");
    LiveIso.to(iso).options(BootMediaOptions.builder().workDirectory(work.resolve("w-iso")).build())
        .write(BuiltImage.of(root, DATE), EventListener.NONE);
  }

  private static String sh(String script) throws Exception {
    Path out = work.resolve("sh.out");
    HostCommand.run(List.of("sh", "-c", "(" + script + ") > " + out + " 2>&1"), T);
    return Files.readString(out);
  }

  @Test
  void liveIsoIsEfiOnlyWithBootaa64() throws Exception {
    String files = sh("xorriso -indev " + iso + " -find / -type f");
    assertThat(files).contains("'/boot/kernel'", "'/boot/initrd'", "'/boot/uefi.img'", "'/boot/grub2/grub.cfg'",
        "'/rootfs.squashfs'").doesNotContain("eltorito.img", "boot_hybrid.img");
    String boot = sh("xorriso -indev " + iso + " -report_el_torito plain -report_system_area plain");
    assertThat(boot).containsPattern("El Torito boot img : +1 +UEFI")
        .doesNotContainPattern("El Torito boot img : +2")
        .doesNotContain("grub2-mbr");

    Path x = Files.createDirectories(work.resolve("x"));
    sh("cd " + x + " && xorriso -osirrox on -indev " + iso + " -extract / .");
    Path uefi = x.resolve("boot/uefi.img");
    String efiBoot = sh("MTOOLS_SKIP_CHECK=1 mdir -b -i " + uefi + " ::/EFI/BOOT");
    assertThat(efiBoot).contains("::/EFI/BOOT/BOOTAA64.EFI", "::/EFI/BOOT/shimaa64.efi", "::/EFI/BOOT/grubaa64.efi")
        .doesNotContainIgnoringCase("x64");
    // the firmware's loader is the shim; shim loads the CD GRUB, renamed to grubaa64.efi
    assertThat(sh("MTOOLS_SKIP_CHECK=1 mtype -i " + uefi + " ::/EFI/BOOT/BOOTAA64.EFI"))
        .isEqualTo("/usr/lib/shim/shimaa64.efi.signed");
    assertThat(sh("MTOOLS_SKIP_CHECK=1 mtype -i " + uefi + " ::/EFI/BOOT/grubaa64.efi"))
        .isEqualTo("/usr/lib/grub/arm64-efi-signed/gcdaa64.efi.signed");

    String menu = Files.readString(x.resolve("boot/grub2/grub.cfg"));
    assertThat(menu).contains("console=ttyAMA0 console=tty1").doesNotContain("nomodeset", "ttyS0");
  }

  @Test
  void rawDiskEspHasBootaa64AndBiosIsRefused() throws Exception {
    Path disk = work.resolve("kairos-arm64.raw");
    RawDisk.to(disk).options(BootMediaOptions.builder().workDirectory(work.resolve("w-disk")).build())
        .write(BuiltImage.of(root, DATE), EventListener.NONE);
    assertThat(sh("sfdisk --json " + disk)).contains("\"name\": \"efi\"", "\"name\": \"oem\"", "\"name\": \"recovery\"");
    // the ESP starts at sector 2048
    String esp = sh("MTOOLS_SKIP_CHECK=1 mdir -b -i " + disk + "@@1M ::/EFI/BOOT");
    assertThat(esp).contains("::/EFI/BOOT/BOOTAA64.EFI", "::/EFI/BOOT/shimaa64.efi", "::/EFI/BOOT/grubaa64.efi");
    assertThat(sh("MTOOLS_SKIP_CHECK=1 mtype -i " + disk + "@@1M ::/EFI/BOOT/grubaa64.efi"))
        .isEqualTo("/usr/lib/grub/arm64-efi-signed/grubaa64.efi.signed");

    assertThatThrownBy(() -> RawDisk.to(work.resolve("bios.raw")).bios()
        .options(BootMediaOptions.builder().workDirectory(work.resolve("w-bios")).build())
        .write(BuiltImage.of(root, DATE), EventListener.NONE))
        .isInstanceOf(UnsupportedTargetException.class).hasMessageContaining("bios").hasMessageContaining("arm64");
    assertThat(work.resolve("bios.raw")).doesNotExist();
  }
}
