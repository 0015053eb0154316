package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Runners;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JksDates} on keystores the JDK writes, read back by the JDK; and the cleanup step that
 * applies it to the JRE's trust store of a Debian image.
 */
class JksDatesTest {
  private static final char[] PASSWORD = "changeit".toCharArray();
  private static final Instant DATE = Instant.parse("2026-12-07T04:47:28Z");
  private static final ImagePath CACERTS = DebianStrategy.JAVA_TRUST_STORE.path();

  @TempDir static Path keys;
  /** Three real X.509 certificates with their private keys, made by the JDK's keytool. */
  private static KeyStore made;

  @BeforeAll
  static void makeCertificates() throws Exception {
    Path p12 = keys.resolve("made.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    for (String alias : List.of("a", "b", "c")) {
      Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", alias, "-keyalg", "EC",
          "-groupname", "secp256r1", "-dname", "CN=jks-dates-test-" + alias, "-validity", "2",
          "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", "changeit")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
    }
    made = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      made.load(in, PASSWORD);
    }
  }

  private static List<Certificate> certificates() throws Exception {
    return List.of(made.getCertificate("a"), made.getCertificate("b"), made.getCertificate("c"));
  }

  /**
   * A JKS of trusted certificates, each added at its own time, as ca-certificates-java writes the
   * JRE's; with {@code key}, also a key entry with its chain (whose protected key has a random salt).
   */
  private static byte[] jks(boolean key) throws Exception {
    List<Certificate> certs = certificates();
    KeyStore ks = KeyStore.getInstance("JKS");
    ks.load(null, null);
    for (int i = 0; i < certs.size(); i++) {
      ks.setCertificateEntry("debian:cert-" + i + ".pem", certs.get(i));
      Thread.sleep(3);
    }
    if (key) {
      ks.setKeyEntry("c-key", made.getKey("c", PASSWORD), PASSWORD, new Certificate[] {certs.get(2)});
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ks.store(out, PASSWORD);
    return out.toByteArray();
  }

  private static KeyStore read(byte[] jks) throws Exception {
    KeyStore read = KeyStore.getInstance("JKS");
    read.load(new ByteArrayInputStream(jks), PASSWORD); // checks the digest made anew
    return read;
  }

  /** The same store written twice, at two different times (as two installs write it): not equal. */
  private static List<byte[]> twoInstalls() throws Exception {
    byte[] first = jks(false);
    Thread.sleep(20);
    byte[] second = jks(false);
    assertThat(first).isNotEqualTo(second);
    return List.of(first, second);
  }

  /** {@code jks} opens with the password (its digest is right) and has {@code entries} entries, each dated {@link #DATE}. */
  private static KeyStore assertDated(byte[] jks, int entries) throws Exception {
    KeyStore read = read(jks);
    assertThat(Collections.list(read.aliases())).hasSize(entries);
    for (String alias : Collections.list(read.aliases())) {
      assertThat(read.getCreationDate(alias)).as(alias).isEqualTo(Date.from(DATE));
    }
    return read;
  }

  @Test
  void twoStoresWrittenAtDifferentTimesBecomeEqualAndStayReadable() throws Exception {
    List<byte[]> two = twoInstalls();
    byte[] pa = JksDates.pin(two.get(0), PASSWORD, DATE, "a");
    byte[] pb = JksDates.pin(two.get(1), PASSWORD, DATE, "b");
    assertThat(pa).isEqualTo(pb).hasSameSizeAs(two.get(0));
    KeyStore read = assertDated(pa, 3);
    assertThat(read.getCertificate("debian:cert-1.pem")).isEqualTo(certificates().get(1));
  }

  @Test
  void aKeyEntryIsDatedAndItsKeyAndChainStayReadable() throws Exception {
    KeyStore read = assertDated(JksDates.pin(jks(true), PASSWORD, DATE, "with key"), 4);
    Key key = read.getKey("c-key", PASSWORD);
    assertThat(key).isEqualTo(made.getKey("c", PASSWORD));
  }

  @Test
  void aFileNotInTheFormatOrSealedWithAnotherPasswordIsLeftAloneAndABrokenStoreIsRefusedByName() throws Exception {
    JksDates store = new JksDates(CACERTS, "changeit");
    byte[] a = jks(false);
    assertThat(store.redate("# not a keystore\n".getBytes(StandardCharsets.UTF_8), DATE, "cacerts")).isEmpty();
    assertThat(store.redate(new byte[0], DATE, "cacerts")).isEmpty();
    byte[] pinned = JksDates.pin(a, PASSWORD, DATE, "cacerts");
    assertThat(store.redate(a, DATE, "cacerts")).hasValueSatisfying(v -> assertThat(v).isEqualTo(pinned));

    // sealed with a password of the user's own (storepass in /etc/default/cacerts): left as it is
    assertThat(new JksDates(CACERTS, "other").redate(a, DATE, "/etc/ssl/certs/java/cacerts")).isEmpty();
    assertThatThrownBy(() -> JksDates.pin(a, "other".toCharArray(), DATE, "/etc/ssl/certs/java/cacerts"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("/etc/ssl/certs/java/cacerts").hasMessageContaining("digest does not match");
    assertThatThrownBy(() -> JksDates.pin(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, PASSWORD, DATE, "cacerts"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("FEEDFEED");
    // Cut short anywhere (in a length, an alias, a date, a certificate, the digest) or with bytes
    // after it: an error naming the file, never another exception, never a store.
    for (int n = 4; n < a.length; n++) {
      byte[] cut = Arrays.copyOf(a, n);
      assertThatThrownBy(() -> store.redate(cut, DATE, "cacerts")).as("cut at %d of %d", cut.length, a.length)
          .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("cacerts");
    }
    byte[] longer = Arrays.copyOf(a, a.length + 1);
    assertThatThrownBy(() -> store.redate(longer, DATE, "cacerts")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("bytes follow the entries");
    byte[] hugeCount = a.clone();
    hugeCount[8] = 0x7f; // 2^31-ish entries in a few kilobytes: runs out of bytes at once
    assertThatThrownBy(() -> store.redate(hugeCount, DATE, "cacerts")).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("cacerts");
  }

  // ------------------------------------------------------------------ the cleanup step

  /** A Debian root with {@code cacerts} (if not null) at the JRE's trust store, after the build's cleanup step alone. */
  private static RootFs cleanedUp(byte[] cacerts) throws Exception {
    RootFs root = TestImages.image("debian-12");
    if (cacerts != null) {
      root.createDirectories(CACERTS.parent());
      root.write(CACERTS, cacerts, 0644);
    }
    Step[] skipped = Arrays.stream(Step.values()).filter(s -> !s.isPhase() && s != Step.CLEANUP).toArray(Step[]::new);
    try (KairosBuild build = Kairos.fromRoot(root).distros(Strategies.all()).runner(Runners.recording())
        .version("1.0").skip(skipped).sourceDate(SourceDate.of(DATE)).build()) {
      return root;
    }
  }

  @Test
  void theCleanupStepMakesTheTrustStoresOfTwoInstallsEqual() throws Exception {
    List<byte[]> two = twoInstalls();
    RootFs first = cleanedUp(two.get(0));
    byte[] a = first.readAllBytes(CACERTS);
    assertThat(a).isEqualTo(cleanedUp(two.get(1)).readAllBytes(CACERTS))
        .isEqualTo(JksDates.pin(two.get(0), PASSWORD, DATE, "first")); // the bytes self-image wrote itself
    assertDated(a, 3);
    assertThat(first.metadata(CACERTS).mode() & 07777).isEqualTo(0644);
  }

  @Test
  void theCleanupStepLeavesAMissingOrForeignStoreAloneAndNamesABrokenOne() throws Exception {
    assertThat(cleanedUp(null).exists(CACERTS)).isFalse();
    byte[] pem = "-----BEGIN CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(cleanedUp(pem).readAllBytes(CACERTS)).isEqualTo(pem);

    byte[] cut = Arrays.copyOf(jks(false), 100);
    assertThatThrownBy(() -> cleanedUp(cut)).isInstanceOf(KairosException.class)
        .hasMessageContaining("cleanup").hasMessageContaining("/etc/ssl/certs/java/cacerts: cut short or malformed");
  }

  @Test
  void onlyTheDebianFamilyHasTheStore() {
    assertThat(new DebianStrategy().datedFiles(null)).containsExactly(DebianStrategy.JAVA_TRUST_STORE);
    assertThat(new RedHatStrategy().datedFiles(null)).isEmpty();
  }
}
