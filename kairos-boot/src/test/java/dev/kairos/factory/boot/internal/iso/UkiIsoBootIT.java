package dev.kairos.factory.boot.internal.iso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.iso.UkiIso;
import dev.kairos.factory.boot.api.secureboot.Authenticode;
import dev.kairos.factory.boot.api.secureboot.Pem;
import dev.kairos.factory.boot.it.BusyboxInitrd;
import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the Trusted Boot installer ISO under QEMU + OVMF (TCG): a UKI of a Debian kernel and a
 * busybox initrd as the ISO's only boot file, started from the CD through the El Torito EFI entry,
 * and, signed with the enrolled snakeoil key, with Secure Boot on from the same ISO written to a
 * disk (through its GPT ESP, which AuroraBoot's UKI ISO lacks).
 */
class UkiIsoBootIT {
  static final String MARKER = "KAIROS_UKI_ISO_OK";

  @TempDir
  static Path dir;
  static Path uki;

  @BeforeAll
  static void buildUki() throws Exception {
    uki = BusyboxInitrd.uki(dir, MARKER);
  }

  static Path iso(Path bootloader, String name) throws Exception {
    Path iso = dir.resolve(name + ".iso");
    UkiIso.to(iso).bootloader(bootloader).options(BootMediaOptions.builder().workDirectory(dir.resolve("work-" + name)).build())
        .write(BuiltImage.of(RootFs.at(dir), SourceDate.of(java.time.Instant.EPOCH)), EventListener.NONE);
    return iso;
  }

  static QemuBoot.Result boot(QemuBoot.Builder qemu, String name) throws Exception {
    QemuBoot.Result r = qemu.marker(MARKER).timeout(Duration.ofMinutes(5)).build().run();
    System.out.println("UKI ISO boot " + name + ": " + r);
    assertThat(r.outcome()).as(r + "\n" + r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    return r;
  }

  @Test
  void bootsAsCd() throws Exception {
    Path iso = iso(uki, "plain");
    boot(QemuBoot.builder(dir.resolve("qemu-cd")).cdrom(iso), "cd");
  }

  @Test
  void signedBootsWithSecureBootAsDisk() throws Exception {
    assumeTrue(QemuBoot.available(true), "OVMF Secure Boot firmware missing");
    Path signed = dir.resolve("snakeoil.efi");
    Authenticode.sign(uki, signed, Pem.readPrivateKey(QemuBoot.SNAKEOIL_KEY, QemuBoot.SNAKEOIL_PASSPHRASE),
        Pem.readCertificate(QemuBoot.SNAKEOIL_CERT));
    Path iso = iso(signed, "signed");
    QemuBoot.Result r = boot(QemuBoot.builder(dir.resolve("qemu-sb-disk")).secureBoot(true).disk(iso), "secure-boot-disk");
    assertThat(r.log()).contains("Secure boot enabled");
  }
}
