package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.boot.api.secureboot.SecureBootKeys;
import dev.kairos.factory.core.api.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link JksDates} on keystores the JDK writes, read back by the JDK. */
class JksDatesTest {
  private static final char[] PASSWORD = "changeit".toCharArray();
  private static final Instant DATE = Instant.parse("2026-12-07T04:47:28Z");

  private static final SecureBootKeys KEYS = keys();

  private static SecureBootKeys keys() {
    try {
      return SecureBootKeys.builder("jks-dates-test").build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Three real X.509 certificates (Secure Boot's PK, KEK and db, made for the test). */
  private static List<Certificate> certificates() {
    return List.of(KEYS.certificate(SecureBootKeys.Kind.PK), KEYS.certificate(SecureBootKeys.Kind.KEK),
        KEYS.certificate(SecureBootKeys.Kind.db));
  }

  /**
   * A JKS of trusted certificates, each added at its own time, as ca-certificates-java writes the
   * JRE's; with {@code key}, also a key entry with its chain (whose protected key has a random salt).
   */
  private static byte[] jks(List<Certificate> certs, boolean key) throws Exception {
    KeyStore ks = KeyStore.getInstance("JKS");
    ks.load(null, null);
    for (int i = 0; i < certs.size(); i++) {
      ks.setCertificateEntry("debian:cert-" + i + ".pem", certs.get(i));
      Thread.sleep(3);
    }
    if (key) {
      ks.setKeyEntry("db-key", KEYS.key(SecureBootKeys.Kind.db), PASSWORD, new Certificate[] {certs.get(2)});
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ks.store(out, PASSWORD);
    return out.toByteArray();
  }

  @Test
  void twoStoresWrittenAtDifferentTimesBecomeEqualAndStayReadable() throws Exception {
    List<Certificate> certs = certificates();
    byte[] a = jks(certs, false);
    Thread.sleep(20);
    byte[] b = jks(certs, false);
    assertThat(a).isNotEqualTo(b);

    byte[] pa = JksDates.pin(a, PASSWORD, DATE, "a");
    byte[] pb = JksDates.pin(b, PASSWORD, DATE, "b");
    assertThat(pa).isEqualTo(pb).hasSameSizeAs(a);

    KeyStore read = KeyStore.getInstance("JKS");
    read.load(new ByteArrayInputStream(pa), PASSWORD); // checks the digest made anew
    assertThat(Collections.list(read.aliases())).hasSize(certs.size());
    for (String alias : Collections.list(read.aliases())) {
      assertThat(read.getCreationDate(alias)).as(alias).isEqualTo(Date.from(DATE));
    }
    assertThat(read.getCertificate("debian:cert-1.pem")).isEqualTo(certs.get(1));
  }

  @Test
  void aKeyEntryIsDatedAndItsKeyAndChainStayReadable() throws Exception {
    List<Certificate> certs = certificates();
    byte[] pinned = JksDates.pin(jks(certs, true), PASSWORD, DATE, "with key");
    KeyStore read = KeyStore.getInstance("JKS");
    read.load(new ByteArrayInputStream(pinned), PASSWORD);
    assertThat(Collections.list(read.aliases())).hasSize(certs.size() + 1);
    for (String alias : Collections.list(read.aliases())) {
      assertThat(read.getCreationDate(alias)).as(alias).isEqualTo(Date.from(DATE));
    }
    assertThat(read.getCertificate("debian:cert-1.pem")).isEqualTo(certs.get(1));
    assertThat(read.getKey("db-key", PASSWORD)).isEqualTo(KEYS.key(SecureBootKeys.Kind.db));
  }

  @Test
  void aStoreOfAnotherPasswordOrNotAJksIsRefused() throws Exception {
    byte[] a = jks(certificates(), false);
    assertThatThrownBy(() -> JksDates.pin(a, "other".toCharArray(), DATE, "cacerts"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("digest does not match");
    assertThatThrownBy(() -> JksDates.pin(Arrays.copyOf(a, a.length / 2), PASSWORD, DATE, "cacerts"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("cacerts");
    assertThatThrownBy(() -> JksDates.pin(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, PASSWORD, DATE, "cacerts"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("FEEDFEED");
  }
}
