package dev.kairos.factory.boot.internal.iso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.boot.it.DracutRootfs;
import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The arm64 counterpart of {@link LiveIsoBootIT}: the live ISO made from the cached arm64 Debian
 * (linux-image-arm64, systemd, a dmsquash-live dracut initrd made in the chroot under emulation,
 * Debian's signed arm64 shim and GRUB) boots under {@code qemu-system-aarch64 -machine virt -cpu
 * cortex-a72} with AAVMF and no KVM, as a CD on virtio SCSI: AAVMF starts
 * {@code EFI/BOOT/BOOTAA64.EFI} (the shim), the shim the CD GRUB, GRUB the kernel and initrd from
 * the ISO, the root comes from {@code /rootfs.squashfs}, and a unit prints a marker on the PL011
 * ({@code ttyAMA0}). Everything arm64 runs emulated, so this is in the {@code slow} profile.
 */
@Tag("slow")
class Arm64LiveIsoBootIT {
  static final String MARKER = "KAIROS_ARM64_LIVE_OK";
  private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(40);

  static Path scratch;
  static Path iso;

  @BeforeAll
  static void build() throws Exception {
    DebianFixture.assumeArm64();
    assumeTrue(QemuBoot.availableAarch64(), "qemu-system-aarch64 or AAVMF missing");
    long t0 = System.nanoTime();
    Path tarball = DebianFixture.arm64WithKernelTarball();
    long t1 = System.nanoTime();
    scratch = Scratch.create("arm64-live-iso-boot");
    RootFs root = DebianFixture.extract(tarball, scratch.resolve("rootfs"));
    DracutRootfs.markerUnit(root, MARKER, "arch=$(uname -m) live=$(findmnt -n -o FSTYPE /run/initramfs/live)"
        + " root=$(findmnt -n -o FSTYPE /run/rootfsbase)", "ttyAMA0");
    DracutRootfs.initrd(root, "dmsquash-live", "virtio_pci virtio_blk virtio_scsi sd_mod sr_mod"
        + " cdrom isofs squashfs overlay loop dm_mod ext4 vfat nls_cp437 nls_iso8859_1");
    long t2 = System.nanoTime();
    iso = scratch.resolve("kairos-arm64.iso");
    LiveIso.to(iso).options(BootMediaOptions.builder().workDirectory(scratch.resolve("work")).build())
        .write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))), EventListener.NONE);
    System.out.printf("Arm64LiveIsoBootIT: kernel fixture %d s, dracut under emulation %d s, ISO %d s%n",
        (t1 - t0) / 1_000_000_000L, (t2 - t1) / 1_000_000_000L, (System.nanoTime() - t2) / 1_000_000_000L);
  }

  @AfterAll
  static void clean() throws Exception {
    if (scratch != null) {
      Scratch.delete(scratch);
    }
  }

  @Test
  void bootsUnderAavmfAsCd() throws Exception {
    QemuBoot.Result r = QemuBoot.builder(scratch.resolve("aavmf-cd")).aarch64(true).cdrom(iso)
        .marker(MARKER).failOn("FATAL:").failOn("System halted").timeout(BOOT_TIMEOUT).memoryMiB(2048).build().run();
    System.out.println("Arm64LiveIsoBootIT: " + r);
    assertThat(r.outcome()).as(r + "\n" + r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    String line = r.log().substring(r.log().indexOf(MARKER)).lines().findFirst().orElseThrow();
    assertThat(line).contains("arch=aarch64").contains("live=iso9660").contains("root=squashfs");
  }
}
