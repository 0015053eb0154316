package dev.kairos.factory.boot.api.uki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.api.secureboot.Pem;
import dev.kairos.factory.boot.it.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** systemd-measure computes the same PCR 11 values; openssl verifies the .pcrsig signatures. */
class Pcr11IT {
  static final Path MEASURE = Path.of("/usr/lib/systemd/systemd-measure");

  @TempDir
  Path dir;

  @Test
  void predictionMatchesSystemdMeasureAndSignaturesVerify() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(MEASURE), "systemd-measure missing");
    Exec.assumeTool("openssl");
    Random r = new Random(11);
    byte[] linux = new byte[200_000];
    r.nextBytes(linux);
    byte[] initrd = new byte[70_001];
    r.nextBytes(initrd);
    Files.write(dir.resolve("linux"), linux);
    Files.write(dir.resolve("initrd"), initrd);
    Files.writeString(dir.resolve("osrel"), "ID=kairos\n");
    Files.writeString(dir.resolve("cmdline"), UkiCmdlines.DEFAULT);
    Map<Pcr11.Bank, List<byte[]>> predicted = Pcr11.predict(Map.of(".linux", dir.resolve("linux"),
        ".osrel", dir.resolve("osrel"), ".cmdline", dir.resolve("cmdline"), ".initrd", dir.resolve("initrd")));
    for (Pcr11.Bank bank : Pcr11.Bank.values()) {
      String out = Exec.sh(dir, MEASURE + " calculate --linux=linux --osrel=osrel --cmdline=cmdline --initrd=initrd"
          + " --bank=" + bank.name().toLowerCase()).ok().output();
      Matcher m = Pattern.compile("11:" + bank.name().toLowerCase() + "=([0-9a-f]+)").matcher(out);
      for (byte[] value : predicted.get(bank)) {
        assertThat(m.find()).as(out).isTrue();
        assertThat(HexFormat.of().formatHex(value)).as(bank.name()).isEqualTo(m.group(1));
      }
    }
    Exec.sh(dir, "openssl genrsa -out pcr.pem 2048 2>/dev/null && openssl rsa -in pcr.pem -pubout -out pub.pem 2>/dev/null").ok();
    String json = Pcr11.signedPolicy(predicted, Pem.readPrivateKey(dir.resolve("pcr.pem"), null));
    assertThat(json).startsWith("{\"sha1\":[").contains("\"sha512\":[").contains("\"pcrs\":[11]");
    assertThat(Pcr11.signedPolicy(predicted, Pem.readPrivateKey(dir.resolve("pcr.pem"), null))).isEqualTo(json);
    String pkfp = Exec.sh(dir, "openssl rsa -pubin -in pub.pem -RSAPublicKey_out -outform DER 2>/dev/null | sha256sum")
        .ok().output().split(" ")[0];
    Matcher e = Pattern.compile("\\{\"pcrs\":\\[11\\],\"pkfp\":\"([0-9a-f]+)\",\"pol\":\"([0-9a-f]+)\",\"sig\":\"([^\"]+)\"}")
        .matcher(json);
    int n = 0;
    String[] banks = {"sha1", "sha256", "sha384", "sha512"};
    while (e.find()) {
      assertThat(e.group(1)).isEqualTo(pkfp);
      String bank = banks[n / 4];
      Files.write(dir.resolve("pol"), HexFormat.of().parseHex(e.group(2)));
      Files.write(dir.resolve("sig"), Base64.getDecoder().decode(e.group(3)));
      Exec.sh(dir, "openssl dgst -" + bank + " -binary pol > pol.h && openssl pkeyutl -verify -pubin -inkey pub.pem "
          + "-pkeyopt digest:" + bank + " -in pol.h -sigfile sig").ok();
      n++;
    }
    assertThat(n).isEqualTo(16);
  }
}
