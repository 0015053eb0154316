package dev.kairos.factory.boot.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.boot.it.DebianArm64Files;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.Model;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raw disk of a Raspberry Pi image (models rpi4 and rpi3) with Debian's real arm64
 * {@code raspi-firmware}, {@code u-boot-rpi} and kernel device trees in a small arm64 root, read
 * back by sfdisk and mtools: the FAT partition the Pi's boot ROM and GPU firmware read holds
 * each board's firmware, its device tree, {@code u-boot.bin} (the package's own bytes),
 * {@code config.txt}, and still {@code EFI/BOOT/BOOTAA64.EFI}, which u-boot loads. That a real
 * Pi boots it cannot be tested here (its firmware runs on the board's GPU only): this checks the
 * layout those files are read from.
 */
class RpiRawDiskIT {
  private static final Duration T = Duration.ofMinutes(1);
  private static final SourceDate DATE = SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"));
  private static final String KERNEL_PACKAGE_DIR = "/usr/lib/linux-image-6.1.0-28-arm64/broadcom";

  @TempDir
  static Path work;
  static Path firmware;
  static Path dtbs;
  static Path ubootArm64;
  static Path uboot3;

  @BeforeAll
  static void fetch() throws Exception {
    assumeTrue(HostCommand.available("mdir") && HostCommand.available("sfdisk") && HostCommand.available("mke2fs")
        && HostCommand.available("apt-get") && HostCommand.available("dpkg-deb"), "host tools missing");
    firmware = DebianArm64Files.file("raspi-firmware", "usr/lib/raspi-firmware");
    dtbs = DebianArm64Files.kernelDeviceTrees();
    ubootArm64 = DebianArm64Files.file("u-boot-rpi", "usr/lib/u-boot/rpi_arm64/u-boot.bin");
    // rpi_3's u-boot.bin has the same file name: kept apart
    uboot3 = Files.createDirectories(work.resolve("rpi_3")).resolve("u-boot.bin");
    Files.copy(DebianArm64Files.file("u-boot-rpi", "usr/lib/u-boot/rpi_3").resolve("u-boot.bin"), uboot3);
  }

  /** A small arm64 root of model {@code model}; u-boot from {@code rpi_arm64}, or else from {@code rpi_3}. */
  private static RootFs root(String model, boolean ubootArm64Build) throws Exception {
    RootFs root = RootFs.at(Files.createDirectory(work.resolve("rootfs-" + model + (ubootArm64Build ? "" : "-own"))));
    ElfStub.write(root, ImagePath.of("/bin/sh"), ElfStub.EM_AARCH64);
    root.writeString(ImagePath.of("/boot/vmlinuz-6.1.0-28-arm64"), "arm64 kernel");
    root.writeString(ImagePath.of("/boot/initrd.img-6.1.0-28-arm64"), "initrd");
    root.createSymlink(ImagePath.of("/boot/vmlinuz"), "vmlinuz-6.1.0-28-arm64");
    root.writeString(ImagePath.of("/etc/kairos-release"),
        "KAIROS_FLAVOR=debian\nKAIROS_ARCH=arm64\nKAIROS_MODEL=" + model + "\n");
    root.writeString(ImagePath.of("/usr/lib/shim/shimaa64.efi.signed"), "shim");
    root.writeString(ImagePath.of("/usr/lib/grub/arm64-efi-signed/grubaa64.efi.signed"), "grub");
    copy(firmware, root, "/usr/lib/raspi-firmware");
    copy(dtbs, root, KERNEL_PACKAGE_DIR);
    if (ubootArm64Build) {
      root.write(ImagePath.of("/usr/lib/u-boot/rpi_arm64/u-boot.bin"), Files.readAllBytes(ubootArm64));
    } else {
      root.write(ImagePath.of("/usr/lib/u-boot/rpi_3/u-boot.bin"), Files.readAllBytes(uboot3));
    }
    return root;
  }

  private static void copy(Path hostDir, RootFs root, String to) throws Exception {
    try (Stream<Path> s = Files.list(hostDir)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        root.write(ImagePath.of(to).resolve(f.getFileName().toString()), Files.readAllBytes(f));
      }
    }
  }

  private static Path disk(RootFs root, String name) throws Exception {
    Path disk = work.resolve(name);
    RawDisk.to(disk).options(BootMediaOptions.builder().workDirectory(work.resolve("w-" + name)).build())
        .write(BuiltImage.of(root, DATE), EventListener.NONE);
    return disk;
  }

  private static String sh(String script) throws Exception {
    Path out = work.resolve("sh.out");
    HostCommand.run(List.of("sh", "-c", "(" + script + ") > " + out + " 2>&1"), T);
    return Files.readString(out);
  }

  private static String mtype(Path disk, String file) throws Exception {
    return sh("MTOOLS_SKIP_CHECK=1 mtype -i " + disk + "@@1M ::" + file);
  }

  private static void assertSame(Path disk, String file, Path expected) throws Exception {
    Path out = work.resolve("extracted");
    Files.deleteIfExists(out);
    sh("MTOOLS_SKIP_CHECK=1 mcopy -n -i " + disk + "@@1M ::" + file + " " + out);
    assertThat(out).as(file).hasSameBinaryContentAs(expected);
  }

  @Test
  void rpi4DiskCarriesTheFirmwareDeviceTreeUbootAndConfigBesideBootaa64() throws Exception {
    assertThat(dtbs.resolve("bcm2711-rpi-4-b.dtb")).exists();
    RootFs root = root("rpi4", true);
    Path disk = disk(root, "rpi4.raw");

    String table = sh("sfdisk --json " + disk + " | tr -d ' \\n'");
    assertThat(table).contains("\"label\":\"gpt\"", "\"name\":\"oem\"", "\"name\":\"recovery\"")
        // the FAT the firmware reads: the first partition, an ESP at sector 2048 (1 MiB, where mtools reads it)
        .containsPattern("\"partitions\":\\[\\{\"node\":\"[^\"]*rpi4.raw1\",\"start\":2048,\"size\":131072,"
            + "\"type\":\"C12A7328-F81F-11D2-BA4B-00A0C93EC93B\",\"uuid\":\"[^\"]*\",\"name\":\"efi\"");

    assertThat(sh("fdisk -l -t dos " + disk)).as("a protective MBR only").doesNotContain("FAT32");
    String top = sh("MTOOLS_SKIP_CHECK=1 mdir -b -i " + disk + "@@1M ::/");
    assertThat(top).contains("::/start4.elf", "::/fixup4.dat", "::/bcm2711-rpi-4-b.dtb", "::/u-boot.bin",
        "::/config.txt", "::/EFI/");
    assertThat(sh("MTOOLS_SKIP_CHECK=1 mdir -b -i " + disk + "@@1M ::/EFI/BOOT")).contains("::/EFI/BOOT/BOOTAA64.EFI");
    assertThat(mtype(disk, "/EFI/BOOT/BOOTAA64.EFI")).isEqualTo("shim");
    assertThat(mtype(disk, "/config.txt")).isEqualTo(RpiBootFiles.configTxt(Model.RPI4))
        .contains("arm_64bit=1\n", "kernel=u-boot.bin\n", "enable_uart=1\n");
    assertSame(disk, "/u-boot.bin", ubootArm64);
    assertSame(disk, "/start4.elf", firmware.resolve("start4.elf"));
    assertSame(disk, "/bcm2711-rpi-4-b.dtb", dtbs.resolve("bcm2711-rpi-4-b.dtb"));

    // the same root and source date give the same bytes
    assertThat(disk(root, "rpi4-again.raw")).hasSameBinaryContentAs(disk);
  }

  @Test
  void rpi3DiskCarriesBootcodeForTheBootRomAndTheBoardsOwnUboot() throws Exception {
    assertThat(dtbs.resolve("bcm2837-rpi-3-b.dtb")).exists();
    Path disk = disk(root("rpi3", false), "rpi3.raw");
    String top = sh("MTOOLS_SKIP_CHECK=1 mdir -b -i " + disk + "@@1M ::/");
    // the Pi 3's boot ROM reads MBR partitions only: the ESP is also an MBR FAT32 entry (hybrid MBR)
    assertThat(sh("fdisk -l -t dos " + disk)).containsPattern(disk + "1 +2048 +133119 +131072 +64M +c W95 FAT32 \\(LBA\\)")
        .containsPattern(disk + "2 +1 +2047 +2047 .* ee GPT");
    assertThat(top).contains("::/bootcode.bin", "::/start.elf", "::/fixup.dat", "::/bcm2837-rpi-3-b.dtb",
        "::/bcm2837-rpi-3-b-plus.dtb", "::/u-boot.bin", "::/config.txt");
    assertSame(disk, "/bootcode.bin", firmware.resolve("bootcode.bin"));
    assertSame(disk, "/u-boot.bin", uboot3);
    assertThat(mtype(disk, "/config.txt")).isEqualTo(RpiBootFiles.configTxt(Model.RPI3));
    assertThat(mtype(disk, "/EFI/BOOT/BOOTAA64.EFI")).isEqualTo("shim");

    assumeTrue(HostCommand.available("qemu-system-aarch64"), "qemu-system-aarch64 missing: u-boot not started");
    ubootOnARaspberryPi3FindsBootaa64(disk);
  }

  /**
   * QEMU's raspi3b has no GPU firmware, so it starts the disk's own u-boot.bin with the disk's
   * device tree itself, the disk as its SD card: u-boot reads the GPT and the ESP's FAT and finds
   * {@code efi/boot/bootaa64.efi}, as on the board (the loader here is a stand-in, so it stops there).
   */
  private static void ubootOnARaspberryPi3FindsBootaa64(Path disk) throws Exception {
    Path sd = work.resolve("sd.img");
    Files.copy(disk, sd);
    try (var f = new java.io.RandomAccessFile(sd.toFile(), "rw")) {
      f.setLength(1L << 30); // QEMU's SD card is a power of two in size
    }
    Path uboot = work.resolve("sd-u-boot.bin");
    Path dtb = work.resolve("sd.dtb");
    sh("MTOOLS_SKIP_CHECK=1 mcopy -n -i " + disk + "@@1M ::/u-boot.bin " + uboot
        + " && MTOOLS_SKIP_CHECK=1 mcopy -n -i " + disk + "@@1M ::/bcm2837-rpi-3-b.dtb " + dtb);
    Path log = work.resolve("uboot-serial.log");
    // u-boot's console on the Pi 3 is the mini UART, QEMU's second serial port
    String out = sh("timeout 60 qemu-system-aarch64 -M raspi3b -accel tcg -kernel " + uboot + " -dtb " + dtb
        + " -drive if=sd,format=raw,file=" + sd + " -serial null -serial file:" + log
        + " -display none -monitor none -no-reboot & q=$!; "
        + "for i in $(seq 1 110); do grep -q -i 'bootaa64.efi' " + log + " 2>/dev/null && break; sleep 0.5; done; "
        + "kill $q; wait $q; cat " + log);
    assertThat(out).contains("U-Boot ", "RPI 3 Model B", "Scanning mmc 0:1",
        "Found EFI removable media binary efi/boot/bootaa64.efi");
  }
}
