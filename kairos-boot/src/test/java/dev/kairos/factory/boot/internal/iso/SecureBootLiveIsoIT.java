package dev.kairos.factory.boot.internal.iso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.boot.it.DracutRootfs;
import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The live ISO of a Debian with shim-signed and grub-efi-amd64-signed boots with Secure Boot on
 * and Microsoft's keys enrolled, as a PC ships: firmware checks the shim (Microsoft's signature),
 * shim checks GRUB and the kernel (Debian's), and the kernel reports Secure Boot on.
 */
class SecureBootLiveIsoIT {
  private static final String MARKER = "KAIROS_SB_LIVE_OK";
  private static final Duration T = Duration.ofMinutes(2);
  private static final String SECURE_BOOT_VAR =
      "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";

  static Path scratch;
  static Path iso;

  @BeforeAll
  static void build() throws Exception {
    DebianFixture.assumeUsable();
    assumeTrue(QemuBoot.availableWithMicrosoftKeys(),
        "qemu or OVMF Secure Boot firmware with Microsoft's keys missing");
    scratch = Scratch.create("secure-boot-live-iso");
    RootFs root = DebianFixture.extract(DebianFixture.withSignedBootTarball(), scratch.resolve("rootfs"));
    // The last byte of the SecureBoot variable is 1 when the firmware enforces signatures.
    DracutRootfs.markerUnit(root, MARKER, "secureboot=$(tail -c1 " + SECURE_BOOT_VAR + " | od -An -tu1 | tr -dc 0-9)");
    DracutRootfs.initrd(root, "dmsquash-live", "virtio_pci virtio_blk virtio_scsi sd_mod sr_mod ahci ata_piix"
        + " cdrom isofs squashfs overlay loop dm_mod ext4 vfat nls_cp437 nls_iso8859_1");
    iso = scratch.resolve("kairos.iso");
    LiveIso.to(iso).options(BootMediaOptions.builder().workDirectory(scratch.resolve("work")).efiLoader(EfiLoader.IMAGE_SHIM)
        .build()).write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))), EventListener.NONE);
  }

  @AfterAll
  static void clean() throws Exception {
    if (scratch != null) {
      Scratch.delete(scratch);
    }
  }

  @Test
  void theEfiImageHoldsTheImagesShimAndGrubAndAStubWhereGrubLooks() throws Exception {
    Path x = scratch.resolve("extracted");
    Files.createDirectories(x);
    HostCommand.run(List.of("sh", "-c", "cd " + x + " && xorriso -osirrox on -indev " + iso
        + " -extract /boot/uefi.img uefi.img && MTOOLS_SKIP_CHECK=1 mcopy -s -i uefi.img ::/EFI ::/boot ."), T);
    Path rootfs = scratch.resolve("rootfs");
    byte[] shim = Files.readAllBytes(rootfs.resolve("usr/lib/shim/shimx64.efi.signed"));
    assertThat(x.resolve("EFI/BOOT/BOOTX64.EFI")).hasBinaryContent(shim);
    assertThat(x.resolve("EFI/BOOT/shimx64.efi")).hasBinaryContent(shim);
    // Debian's CD GRUB under the name shim loads
    assertThat(x.resolve("EFI/BOOT/grubx64.efi"))
        .hasSameBinaryContentAs(rootfs.resolve("usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed"));
    String stub = Files.readString(x.resolve("boot/grub/grub.cfg"));
    assertThat(stub).contains("search --no-floppy --file --set=root /boot/kernel");
    for (String cfg : List.of("EFI/BOOT/grub.cfg", "EFI/debian/grub.cfg", "EFI/ubuntu/grub.cfg")) {
      assertThat(x.resolve(cfg)).hasContent(stub);
    }
  }

  @Test
  void bootsWithSecureBootOnThroughTheImagesShim() throws Exception {
    QemuBoot.Result r = QemuBoot.builder(scratch.resolve("ovmf-sb-cd")).cdrom(iso).secureBootWithMicrosoftKeys()
        .marker(MARKER).failOn("FATAL:").failOn("System halted").failOn("Access Denied")
        .timeout(Duration.ofMinutes(6)).memoryMiB(2048).build().run();
    assertThat(r.outcome()).as(r + "\n" + r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    assertThat(r.log()).contains("Secure boot enabled");
    String line = r.log().substring(r.log().indexOf(MARKER)).lines().findFirst().orElseThrow();
    assertThat(line).contains("secureboot=1");
  }
}
