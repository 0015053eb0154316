package dev.kairos.factory.boot.api.uki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.gpt.GptDisk;
import dev.kairos.factory.boot.api.gpt.GptType;
import dev.kairos.factory.boot.api.secureboot.Authenticode;
import dev.kairos.factory.boot.api.secureboot.Pem;
import dev.kairos.factory.boot.internal.fat.FatImage;
import dev.kairos.factory.boot.it.BusyboxInitrd;
import dev.kairos.factory.boot.it.DebianKernel;
import dev.kairos.factory.boot.it.Exec;
import dev.kairos.factory.boot.it.QemuBoot;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real boots under QEMU + OVMF (TCG): a UKI of a Debian kernel and our initrd, on a GPT + FAT
 * disk we wrote, boots to a marker; with Secure Boot, the snakeoil-signed UKI boots and one signed
 * with a key the firmware does not know is refused.
 */
class UkiBootIT {
  static final String MARKER = "KAIROS_BOOT_OK";
  static final String CMDLINE = BusyboxInitrd.UKI_CMDLINE;

  @TempDir
  static Path dir;
  static Path uki;

  @BeforeAll
  static void buildUki() throws Exception {
    uki = BusyboxInitrd.uki(dir, MARKER);
  }

  /** A GPT disk whose ESP holds {@code efi} as the removable-media boot loader. */
  static Path disk(Path efi, String name) throws Exception {
    FatImage esp = FatImage.builder().label("COS_GRUB").file("/EFI/BOOT/BOOTX64.EFI", efi).hiddenSectors(2048).build();
    Path raw = dir.resolve(name + ".raw");
    GptDisk.builder().add(GptDisk.partition("efi").type(GptType.ESP).size(esp.size()).content(esp))
        .build().writeTo(raw);
    return raw;
  }

  static QemuBoot.Result boot(Path disk, boolean secureBoot, String name) throws Exception {
    QemuBoot.Result r = QemuBoot.builder(dir.resolve("qemu-" + name)).disk(disk).secureBoot(secureBoot)
        .marker(MARKER).timeout(Duration.ofMinutes(6)).build().run();
    System.out.println("boot " + name + ": " + r);
    return r;
  }

  @Test
  void ukiOfDebianKernelAndOurInitrdBootsFromOurDisk() throws Exception {
    String release = Uki.kernelRelease(DebianKernel.vmlinuz()).orElseThrow();
    QemuBoot.Result r = boot(disk(uki, "plain"), false, "plain");
    assertThat(r.outcome()).as(r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    assertThat(r.log()).contains("Command line: " + CMDLINE).contains(MARKER + " " + release);
  }

  @Test
  void secureBootAcceptsTheEnrolledKeyAndRefusesAnother() throws Exception {
    assumeTrue(QemuBoot.available(true), "OVMF Secure Boot firmware missing");
    Exec.assumeTool("openssl");
    Path good = dir.resolve("snakeoil.efi");
    Authenticode.sign(uki, good, Pem.readPrivateKey(QemuBoot.SNAKEOIL_KEY, QemuBoot.SNAKEOIL_PASSPHRASE),
        Pem.readCertificate(QemuBoot.SNAKEOIL_CERT));
    Exec.sh(dir, "openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj /CN=unenrolled/ "
        + "-keyout other.key -out other.pem 2>/dev/null").ok();
    Path bad = dir.resolve("other.efi");
    Authenticode.sign(uki, bad, Pem.readPrivateKey(dir.resolve("other.key"), null),
        Pem.readCertificate(dir.resolve("other.pem")));

    QemuBoot.Result refused = boot(disk(bad, "other"), true, "unenrolled-key");
    assertThat(refused.outcome()).as(refused.log()).isEqualTo(QemuBoot.Outcome.FAILURE);
    assertThat(refused.matched()).isIn("Access Denied", "Security Violation", "security violation");

    QemuBoot.Result ok = boot(disk(good, "snakeoil"), true, "snakeoil");
    assertThat(ok.outcome()).as(ok.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    assertThat(ok.log()).contains("Secure boot enabled");
  }
}
