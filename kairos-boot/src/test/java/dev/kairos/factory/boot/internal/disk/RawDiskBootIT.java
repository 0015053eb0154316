package dev.kairos.factory.boot.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.grub.GrubConfigs;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.boot.it.DracutRootfs;
import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Boots the recovery-first raw disk made from a debootstrapped Debian under QEMU with software
 * emulation, the EFI variant under OVMF and the BIOS variant under SeaBIOS: GRUB from the disk
 * finds {@code COS_RECOVERY}, runs the image's {@code /etc/cos/grub.cfg}, which loads the grubenv
 * from {@code COS_OEM} ({@code next_entry=recovery}) and boots the recovery entry: kernel and
 * initrd read from inside {@code /cOS/recovery.img}, the cmdline from its
 * {@code /etc/cos/bootargs.cfg}. In the initrd, a small service stands in for immucore's first
 * job (mount {@code COS_RECOVERY}, attach {@code cos-img/filename} as a loop device, so that
 * {@code root=LABEL=COS_SYSTEM} appears); systemd then boots the recovery image as root, and a
 * unit prints what it booted from and powers off. The rest of the first boot (the layout plugin
 * adding COS_STATE and COS_PERSISTENT, {@code kairos-agent reset}) needs the real immucore and
 * kairos-agent and is not exercised. The EFI disk also boots with Secure Boot on through the
 * image's signed shim and GRUB.
 */
// The boots are independent (own scratch directories); two at a time halve the wall time on two cores.
@Execution(ExecutionMode.CONCURRENT)
class RawDiskBootIT {
  static final String MARKER = "KAIROS_RECOVERY_OK";
  private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(5);

  static Path scratch;
  static RootFs root;

  @BeforeAll
  static void prepare() throws Exception {
    DebianFixture.assumeUsable();
    assumeTrue(QemuBoot.available(false), "qemu or OVMF missing");
    assumeTrue(HostCommand.available("mke2fs") && HostCommand.available("grub-mkimage"), "e2fsprogs or grub missing");
    scratch = Scratch.create("raw-disk-boot");
    root = recoveryRootfs(scratch.resolve("rootfs"));
  }

  @AfterAll
  static void clean() throws Exception {
    if (scratch != null) {
      Scratch.delete(scratch);
    }
  }

  /** The amd64 recovery root: {@link #recoveryRootfs(Path, Architecture)}. */
  static RootFs recoveryRootfs(Path dir) throws Exception {
    return recoveryRootfs(dir, Architecture.AMD64);
  }

  /**
   * The cached Debian of {@code arch} made into what the raw disk expects of a Kairos image:
   * {@code /boot/vmlinuz}, {@code /boot/initrd}, {@code /etc/cos/grub.cfg} and {@code bootargs.cfg},
   * plus the marker unit, which writes to the first serial port ({@code ttyS0}, on arm64's virt
   * machine the PL011 {@code ttyAMA0}). Both fixtures have Debian's signed shim and GRUB (the amd64
   * Secure Boot disk boots through them; for arm64 the host has no GRUB, so RawDisk takes them).
   * On arm64 dracut runs under emulation, hence its generous timeout.
   */
  static RootFs recoveryRootfs(Path dir, Architecture arch) throws Exception {
    boolean arm64 = switch (arch) {
      case AMD64 -> false;
      case ARM64 -> true;
      default -> throw new IllegalArgumentException("no Debian fixture for " + arch);
    };
    RootFs root = DebianFixture.extract(arm64 ? DebianFixture.arm64WithKernelTarball() : DebianFixture.withSignedBootTarball(), dir);
    String tty = arm64 ? "ttyAMA0" : "ttyS0";
    GrubConfigs grub = GrubConfigs.builder().build();
    root.writeString(ImagePath.of("/etc/cos/grub.cfg"), grub.installedMenu());
    root.writeString(ImagePath.of("/etc/cos/bootargs.cfg"), grub.bootArgs());
    root.writeString(ImagePath.of("/etc/systemd/system/kairos-marker.service"), "[Unit]\n"
        + "Description=Recovery boot marker\n"
        + "[Service]\nType=oneshot\n"
        + "ExecStart=/bin/sh -c 'dev=$(findmnt -n -o SOURCE /); mkdir -p /run/oem;"
        + " mount -o ro LABEL=COS_OEM /run/oem;"
        + " echo \"RECOVERY label=$(blkid -s LABEL -o value $dev) img=$(losetup -n -O BACK-FILE $dev)"
        + " grubenv=$(grep -a -o \"next_entry=[a-z]*\" /run/oem/grubenv) cmdline=$(cat /proc/cmdline) " + MARKER
        + "\" > /dev/" + tty + "'\n"
        + "ExecStartPost=/bin/systemctl poweroff --no-block\n"
        + "[Install]\nWantedBy=multi-user.target\n");
    root.createDirectories(ImagePath.of("/etc/systemd/system/multi-user.target.wants"));
    root.createSymlink(ImagePath.of("/etc/systemd/system/multi-user.target.wants/kairos-marker.service"),
        "../kairos-marker.service");
    root.writeString(ImagePath.of("/etc/machine-id"), "");

    // immucore's first step, as a dracut module of this test.
    ImagePath module = ImagePath.of("/usr/lib/dracut/modules.d/90recovery-root");
    root.createDirectories(module);
    root.writeString(module.resolve("attach-recovery.sh"), "#!/bin/sh\nset -e\n"
        + "img=$(sed -n 's|.*cos-img/filename=\\([^ ]*\\).*|\\1|p' /proc/cmdline)\n"
        + "mkdir -p /run/initramfs/cos-state\n"
        + "mount -o ro /dev/disk/by-label/COS_RECOVERY /run/initramfs/cos-state\n"
        + "losetup -r -f /run/initramfs/cos-state$img\n");
    root.writeString(module.resolve("attach-recovery.service"), "[Unit]\n"
        + "Description=Attach the recovery image as the root device\n"
        + "DefaultDependencies=no\n"
        + "Requires=dev-disk-by\\x2dlabel-COS_RECOVERY.device\n"
        + "After=dev-disk-by\\x2dlabel-COS_RECOVERY.device\n"
        + "Before=initrd-root-device.target\n"
        + "[Service]\nType=oneshot\nRemainAfterExit=yes\n"
        + "ExecStart=/bin/sh /usr/bin/attach-recovery\n");
    root.writeString(module.resolve("module-setup.sh"), "#!/bin/bash\n"
        + "check() { return 0; }\n"
        + "depends() { echo systemd; return 0; }\n"
        + "install() {\n"
        + "  inst_multiple losetup mount mkdir sed\n"
        + "  inst_simple \"$moddir/attach-recovery.sh\" /usr/bin/attach-recovery\n"
        + "  inst_simple \"$moddir/attach-recovery.service\" \"$systemdsystemunitdir/attach-recovery.service\"\n"
        + "  mkdir -p \"$initdir/$systemdsystemunitdir/initrd-root-device.target.wants\"\n"
        + "  ln_r \"$systemdsystemunitdir/attach-recovery.service\""
        + " \"$systemdsystemunitdir/initrd-root-device.target.wants/attach-recovery.service\"\n"
        + "}\n");
    root.setMode(module.resolve("module-setup.sh"), 0755);

    String kver = root.list(ImagePath.of("/lib/modules")).get(0);
    root.createSymlink(ImagePath.of("/boot/vmlinuz"), "vmlinuz-" + kver);
    Runners.chroot().run(root, Command.builder("dracut", "-q", "--no-hostonly", "--compress", "gzip -1",
        "-m", DracutRootfs.BASE_MODULES + " recovery-root",
        "--drivers", "virtio_pci virtio_blk virtio_scsi sd_mod ahci loop ext4",
        "-f", "/boot/initrd", kver).timeout(Duration.ofMinutes(arm64 ? 30 : 5)).build()).requireSuccess();
    return root;
  }

  private static Path disk(RawDisk.Firmware firmware, EfiLoader loader) throws Exception {
    return disk(scratch, root, firmware, loader);
  }

  /** The raw disk of {@code root} for {@code firmware} and {@code loader}, made in {@code scratch}. */
  static Path disk(Path scratch, RootFs root, RawDisk.Firmware firmware, EfiLoader loader) throws Exception {
    Path disk = scratch.resolve("kairos-" + firmware + "-" + loader + ".raw");
    RawDisk.to(disk).firmware(firmware)
        .options(BootMediaOptions.builder().efiLoader(loader).workDirectory(scratch.resolve("work-" + firmware + "-" + loader)).build())
        .write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))), EventListener.NONE);
    return disk;
  }

  private static String assertBootsRecovery(String name, QemuBoot.Builder qemu) throws Exception {
    return assertBootsRecovery("RawDiskBootIT " + name, qemu, BOOT_TIMEOUT);
  }

  /**
   * Boots {@code qemu} to the marker within {@code timeout} and checks that the recovery system
   * came up: root on the loop device of {@code /cOS/recovery.img}, the one-shot grubenv entry
   * consumed, the recovery cmdline. Returns the serial log.
   */
  static String assertBootsRecovery(String name, QemuBoot.Builder qemu, Duration timeout) throws Exception {
    QemuBoot.Result r = qemu.marker(MARKER).failOn("FATAL:").failOn("Failed to mount").failOn("emergency mode")
        .timeout(timeout).memoryMiB(2048).build().run();
    assertThat(r.outcome()).as(r + "\n" + r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    String log = r.log();
    String line = log.substring(log.lastIndexOf("RECOVERY label=", log.indexOf(MARKER))).lines().findFirst().orElseThrow();
    System.out.println(name + ": " + r + ": " + line);
    assertThat(line).contains("label=COS_SYSTEM")
        .contains("img=/run/initramfs/cos-state/cOS/recovery.img")
        // GRUB loaded next_entry=recovery from COS_OEM and cleared it, as a one-shot entry.
        .contains("grubenv=next_entry= ")
        .contains("root=LABEL=COS_SYSTEM cos-img/filename=/cOS/recovery.img")
        .contains("rd.cos.oemlabel=COS_OEM");
    return log;
  }

  @Test
  void efiDiskBootsTheRecoverySystemUnderOvmf() throws Exception {
    assertBootsRecovery("EFI disk, OVMF",
        QemuBoot.builder(scratch.resolve("ovmf")).disk(disk(RawDisk.Firmware.EFI, EfiLoader.HOST_GRUB)));
  }

  @Test
  void efiDiskWithTheImagesShimBootsWithSecureBootOn() throws Exception {
    assumeTrue(QemuBoot.availableWithMicrosoftKeys(),
        "OVMF Secure Boot firmware with Microsoft's keys missing");
    String log = assertBootsRecovery("EFI disk, shim, OVMF Secure Boot", QemuBoot.builder(scratch.resolve("ovmf-sb"))
        .secureBootWithMicrosoftKeys().failOn("Access Denied").disk(disk(RawDisk.Firmware.EFI, EfiLoader.IMAGE_SHIM)));
    assertThat(log).contains("Secure boot enabled");
  }

  @Test
  void biosDiskBootsTheRecoverySystemUnderSeabios() throws Exception {
    assertBootsRecovery("BIOS disk, SeaBIOS",
        QemuBoot.builder(scratch.resolve("seabios")).seabios(true).disk(disk(RawDisk.Firmware.BIOS, EfiLoader.AUTO)));
  }
}
