package dev.kairos.factory.boot.api.uki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.api.secureboot.Authenticode;
import dev.kairos.factory.boot.api.secureboot.Pem;
import dev.kairos.factory.boot.it.Exec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** objdump, objcopy and sbverify accept the UKIs we assemble and sign. */
class UkiIT {
  @TempDir
  Path dir;

  @BeforeEach
  void tools() {
    Exec.assumeTool("objdump");
    Exec.assumeTool("sbverify");
    Exec.assumeTool("openssl");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(Uki.DEBIAN_STUB), "no systemd stub");
  }

  private Uki sample() throws Exception {
    byte[] kernel = new byte[300_001];
    new Random(1).nextBytes(kernel);
    Files.write(dir.resolve("vmlinuz"), kernel);
    byte[] initrd = new byte[123_457];
    new Random(2).nextBytes(initrd);
    Files.write(dir.resolve("initrd"), initrd);
    return Uki.builder().kernel(dir.resolve("vmlinuz")).initrd(dir.resolve("initrd"))
        .cmdline(UkiCmdlines.DEFAULT).osRelease("ID=debian\nVERSION_ID=\"12\"\n").uname("6.1.0-test").build();
  }

  @Test
  void objdumpSeesAlignedSectionsWithTheRightContent() throws Exception {
    List<Uki.SectionInfo> placed = sample().writeTo(dir.resolve("uki.efi"));
    assertThat(placed).extracting(Uki.SectionInfo::name)
        .containsExactly(".osrel", ".cmdline", ".uname", ".initrd", ".linux");
    String h = Exec.sh(dir, "objdump -h uki.efi").ok().output();
    String p = Exec.sh(dir, "objdump -p uki.efi").ok().output();
    Matcher m = Pattern.compile("SectionAlignment\\s+([0-9a-f]+)").matcher(p);
    assertThat(m.find()).isTrue();
    long align = Long.parseLong(m.group(1), 16);
    Matcher s = Pattern.compile("\\s\\d+ (\\.\\w+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+[0-9a-f]+\\s+([0-9a-f]+)\\s+2\\*\\*\\d+\\s*\\n\\s+([^\\n]+)")
        .matcher(h);
    long prevEnd = 0;
    int found = 0;
    while (s.find()) {
      long size = Long.parseLong(s.group(2), 16);
      long vma = Long.parseLong(s.group(3), 16);
      assertThat(vma).as(s.group(1)).isGreaterThanOrEqualTo(prevEnd);
      if (placed.stream().anyMatch(x -> x.name().equals(s.group(1)))) {
        // Ours follow the stub's SectionAlignment (Debian's own .sdmagic does not).
        assertThat(vma % align).as(s.group(1)).isZero();
      }
      prevEnd = vma + size;
      if (s.group(1).equals(".linux")) {
        assertThat(s.group(5)).contains("CODE").contains("READONLY");
      } else if (s.group(1).equals(".cmdline")) {
        assertThat(s.group(5)).contains("DATA").contains("READONLY");
      }
      found++;
    }
    assertThat(found).isEqualTo(13);
    Exec.sh(dir, "objcopy -O binary --only-section=.cmdline uki.efi c.txt && objcopy -O binary --only-section=.linux uki.efi k "
        + "&& objcopy -O binary --only-section=.osrel uki.efi o").ok();
    assertThat(Files.readString(dir.resolve("c.txt"))).isEqualTo(UkiCmdlines.DEFAULT);
    assertThat(Files.readAllBytes(dir.resolve("k"))).isEqualTo(Files.readAllBytes(dir.resolve("vmlinuz")));
    assertThat(Files.readString(dir.resolve("o"))).isEqualTo("ID=debian\nVERSION_ID=\"12\"\n");
    // Same input, same bytes.
    Path again = dir.resolve("again.efi");
    sample().writeTo(again);
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(dir.resolve("uki.efi")));
  }

  @Test
  void sbverifyAcceptsOurSignatureAndRejectsAnotherKey() throws Exception {
    for (String n : new String[] {"db", "other"}) {
      Exec.sh(dir, "openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj /CN=test-" + n
          + "/ -keyout " + n + ".key -out " + n + ".pem 2>/dev/null").ok();
    }
    sample().writeTo(dir.resolve("uki.efi"));
    Authenticode.sign(dir.resolve("uki.efi"), dir.resolve("signed.efi"),
        Pem.readPrivateKey(dir.resolve("db.key"), null), Pem.readCertificate(dir.resolve("db.pem")));
    Exec.Result ok = Exec.sh(dir, "sbverify --cert db.pem signed.efi");
    assertThat(ok.output()).contains("Signature verification OK");
    assertThat(ok.exit()).isZero();
    Exec.Result bad = Exec.sh(dir, "sbverify --cert other.pem signed.efi");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.output()).contains("Signature verification failed");
    Authenticode.sign(dir.resolve("uki.efi"), dir.resolve("signed2.efi"),
        Pem.readPrivateKey(dir.resolve("db.key"), null), Pem.readCertificate(dir.resolve("db.pem")));
    assertThat(Files.readAllBytes(dir.resolve("signed2.efi"))).isEqualTo(Files.readAllBytes(dir.resolve("signed.efi")));
    // Tampering with the cmdline breaks the signature.
    byte[] b = Files.readAllBytes(dir.resolve("signed.efi"));
    int at = new String(b, StandardCharsets.ISO_8859_1).indexOf("rd.immucore.uki");
    b[at] = 'R';
    Files.write(dir.resolve("tampered.efi"), b);
    assertThat(Exec.sh(dir, "sbverify --cert db.pem tampered.efi").exit()).isNotZero();
  }
}
