package dev.kairos.factory.boot.internal.disk;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The arm64 counterpart of {@link RawDiskBootIT}: the EFI raw disk made from the cached arm64
 * Debian (the same recovery root: kernel, systemd, a small dracut initrd with the stand-in for
 * immucore's first step, made in the chroot under emulation) boots under {@code
 * qemu-system-aarch64 -machine virt -cpu cortex-a72} with AAVMF and no KVM: AAVMF starts the
 * disk's {@code EFI/BOOT/BOOTAA64.EFI} (the image's signed shim; the build host has no arm64
 * GRUB), GRUB finds {@code COS_RECOVERY} and boots the recovery entry from inside
 * {@code /cOS/recovery.img}, and the marker unit prints on the PL011 ({@code ttyAMA0}). Everything
 * arm64 runs emulated, so this is in the {@code slow} profile.
 */
@Tag("slow")
class Arm64RawDiskBootIT {
  private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(30);

  static Path scratch;
  static RootFs root;

  @BeforeAll
  static void prepare() throws Exception {
    DebianFixture.assumeArm64();
    assumeTrue(QemuBoot.availableAarch64(), "qemu-system-aarch64 or AAVMF missing");
    long t0 = System.nanoTime();
    DebianFixture.arm64WithKernelTarball();
    long t1 = System.nanoTime();
    scratch = Scratch.create("arm64-raw-disk-boot");
    root = RawDiskBootIT.recoveryRootfs(scratch.resolve("rootfs"), Architecture.ARM64);
    System.out.printf("Arm64RawDiskBootIT: kernel fixture %d s, root and dracut under emulation %d s%n",
        (t1 - t0) / 1_000_000_000L, (System.nanoTime() - t1) / 1_000_000_000L);
  }

  @AfterAll
  static void clean() throws Exception {
    if (scratch != null) {
      Scratch.delete(scratch);
    }
  }

  @Test
  void efiDiskBootsTheRecoverySystemUnderAavmf() throws Exception {
    long t0 = System.nanoTime();
    Path disk = RawDiskBootIT.disk(scratch, root, RawDisk.Firmware.EFI, EfiLoader.AUTO);
    System.out.printf("Arm64RawDiskBootIT: raw disk %d s%n", (System.nanoTime() - t0) / 1_000_000_000L);
    RawDiskBootIT.assertBootsRecovery("Arm64RawDiskBootIT EFI disk, AAVMF",
        QemuBoot.builder(scratch.resolve("aavmf")).aarch64(true).disk(disk), BOOT_TIMEOUT);
  }
}
