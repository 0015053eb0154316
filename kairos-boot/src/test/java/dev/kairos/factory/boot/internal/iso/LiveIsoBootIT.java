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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Boots the live ISO made from a debootstrapped Debian (kernel, systemd, a dmsquash-live dracut
 * initrd) under QEMU with software emulation: GRUB, the kernel and the initrd from the ISO, the
 * root from {@code /rootfs.squashfs}, and a unit in it that prints a marker and powers off.
 */
// The boots are independent (own scratch directories); two at a time halve the wall time on two cores.
@Execution(ExecutionMode.CONCURRENT)
class LiveIsoBootIT {
  static final String MARKER = "KAIROS_LIVE_OK";
  private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(6);

  static Path scratch;
  static Path iso;

  @BeforeAll
  static void build() throws Exception {
    DebianFixture.assumeUsable();
    assumeTrue(QemuBoot.available(false), "qemu or OVMF missing");
    scratch = Scratch.create("live-iso-boot");
    RootFs root = liveRootfs(scratch.resolve("rootfs"));
    iso = scratch.resolve("kairos.iso");
    LiveIso.to(iso).options(BootMediaOptions.builder().workDirectory(scratch.resolve("work")).build())
        .write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))), EventListener.NONE);
  }

  /** The cached Debian with a marker unit and a dmsquash-live initrd in /boot. */
  static RootFs liveRootfs(Path dir) throws Exception {
    RootFs root = DebianFixture.extract(DebianFixture.withKernelTarball(), dir);
    DracutRootfs.markerUnit(root, MARKER, "live=$(findmnt -n -o FSTYPE /run/initramfs/live)"
        + " root=$(findmnt -n -o FSTYPE /run/rootfsbase)");
    DracutRootfs.initrd(root, "dmsquash-live", "virtio_pci virtio_blk virtio_scsi sd_mod sr_mod ahci ata_piix"
        + " cdrom isofs squashfs overlay loop dm_mod ext4 vfat nls_cp437 nls_iso8859_1");
    return root;
  }

  @AfterAll
  static void clean() throws Exception {
    if (scratch != null) {
      Scratch.delete(scratch);
    }
  }

  private static void assertBoots(QemuBoot.Builder qemu) throws Exception {
    QemuBoot.Result r = qemu.marker(MARKER).failOn("FATAL:").failOn("System halted").timeout(BOOT_TIMEOUT)
        .memoryMiB(2048).build().run();
    assertThat(r.outcome()).as(r + "\n" + r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    String line = r.log().substring(r.log().indexOf(MARKER)).lines().findFirst().orElseThrow();
    assertThat(line).contains("live=iso9660").contains("root=squashfs");
  }

  @Test
  void bootsUnderOvmfAsCd() throws Exception {
    assertBoots(QemuBoot.builder(scratch.resolve("ovmf-cd")).cdrom(iso));
  }

  @Test
  void bootsUnderOvmfAsDisk() throws Exception {
    assertBoots(QemuBoot.builder(scratch.resolve("ovmf-disk")).disk(iso));
  }

  @Test
  void bootsUnderSeabiosAsCd() throws Exception {
    assertBoots(QemuBoot.builder(scratch.resolve("seabios-cd")).seabios(true).cdrom(iso));
  }

  @Test
  void bootsUnderSeabiosAsDisk() throws Exception {
    assertBoots(QemuBoot.builder(scratch.resolve("seabios-disk")).seabios(true).disk(iso));
  }
}
