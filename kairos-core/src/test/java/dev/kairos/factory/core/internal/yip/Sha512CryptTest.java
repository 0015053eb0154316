package dev.kairos.factory.core.internal.yip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class Sha512CryptTest {
  @Test
  void specificationVectors() {
    assertThat(Sha512Crypt.crypt("Hello world!", "$6$saltstring")).isEqualTo(
        "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1");
    assertThat(Sha512Crypt.crypt("Hello world!", "$6$rounds=10000$saltstringsaltstring")).isEqualTo(
        "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.");
    assertThat(Sha512Crypt.crypt("This is just a test", "$6$rounds=5000$toolongsaltstring")).isEqualTo(
        "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0");
    assertThat(Sha512Crypt.crypt("we have a short salt string but not a short password", "$6$rounds=77777$short"))
        .isEqualTo("$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0");
  }

  @Test
  void randomSaltIsEightAlphanumericsAndVerifies() {
    String h = Sha512Crypt.hash("secret", new Random(1));
    assertThat(h).matches("\\$6\\$[0-9a-zA-Z]{8}\\$[./0-9A-Za-z]{86}");
    assertThat(Sha512Crypt.crypt("secret", h)).isEqualTo(h);
  }

  @Test
  void agreesWithOpenssl() throws Exception {
    ProcessBuilder pb;
    try {
      pb = new ProcessBuilder("openssl", "passwd", "-6", "-salt", "Xy7abc12", "pässwörd with spaces");
      Process p = pb.redirectErrorStream(true).start();
      Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS), "openssl timed out");
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      Assumptions.assumeTrue(p.exitValue() == 0, "openssl failed: " + out);
      assertThat(Sha512Crypt.crypt("pässwörd with spaces", "$6$Xy7abc12")).isEqualTo(out);
    } catch (java.io.IOException e) {
      Assumptions.abort("openssl not installed");
    }
  }
}
