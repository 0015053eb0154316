package dev.kairos.factory.boot.api.secureboot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.api.secureboot.SecureBootKeys.Kind;
import dev.kairos.factory.boot.it.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** openssl and efitools read our keys, lists and authenticated updates; sign-efi-sig-list makes the same .auth. */
class SecureBootKeysIT {
  @TempDir
  Path dir;

  @Test
  void keySetMatchesWhatOpensslAndEfitoolsMake() throws Exception {
    Exec.assumeTool("openssl");
    Exec.assumeTool("sign-efi-sig-list");
    Exec.assumeTool("sig-list-to-certs");
    Instant t = Instant.parse("2024-01-02T03:04:05Z");
    SecureBootKeys keys = SecureBootKeys.builder("test").timestamp(t).build();
    Path out = dir.resolve("keys");
    keys.writeTo(out);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rwx------");
    for (Kind k : Kind.values()) {
      assertThat(Exec.sh(out, "openssl x509 -in " + k + ".pem -noout -subject").ok().output().strip())
          .isEqualTo("subject=CN = test-" + k);
      assertThat(Exec.sh(out, "openssl x509 -inform DER -in " + k + ".der -noout -subject").ok().output())
          .contains("test-" + k);
      Exec.sh(out, "openssl rsa -in " + k + ".key -check -noout").ok();
      Exec.sh(out, "sig-list-to-certs " + k + ".esl " + k + "-out").ok();
      assertThat(Files.readAllBytes(out.resolve(k + "-out-0.der"))).isEqualTo(Files.readAllBytes(out.resolve(k + ".der")));
      byte[] esl = Files.readAllBytes(out.resolve(k + ".esl"));
      assertThat(Arrays.copyOf(esl, 16)).containsExactly(0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
          0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72);
    }
    // PK signs PK and KEK, KEK signs db: the reference tool, same key and timestamp, same bytes.
    String[][] signers = {{"PK", "PK"}, {"KEK", "PK"}, {"db", "KEK"}};
    for (String[] s : signers) {
      Exec.sh(out, "sign-efi-sig-list -t '2024-01-02 03:04:05' -k " + s[1] + ".key -c " + s[1] + ".pem "
          + s[0] + " " + s[0] + ".esl " + s[0] + ".ref.auth").ok();
      byte[] ours = Files.readAllBytes(out.resolve(s[0] + ".auth"));
      byte[] ref = Files.readAllBytes(out.resolve(s[0] + ".ref.auth"));
      assertThat(ours).as(s[0] + ".auth").isEqualTo(ref);
    }
  }
}
