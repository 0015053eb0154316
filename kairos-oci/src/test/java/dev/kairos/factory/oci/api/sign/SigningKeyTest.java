package dev.kairos.factory.oci.api.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {
  private static String resource(String name) throws Exception {
    try (InputStream in = SigningKeyTest.class.getResourceAsStream("/sign/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  @Test
  void decryptsAKeyCosignWrote() throws Exception {
    // Written by cosign with an empty password: the secretbox tag only matches if scrypt, XSalsa20
    // and Poly1305 are applied exactly as cosign does.
    SigningKey key = SigningKey.parse(resource("conforma-empty-password.cosign.key"), "", "cosign.key");
    byte[] data = "kairos".getBytes(StandardCharsets.UTF_8);
    assertThat(key.verificationKey().verifies(data, key.sign(data))).isTrue();
    // An unset COSIGN_PASSWORD reads as empty, as cosign reads it.
    assertThat(SigningKey.parse(resource("conforma-empty-password.cosign.key"), null, "cosign.key").verificationKey())
        .isEqualTo(key.verificationKey());
  }

  @Test
  void wrongPasswordIsNamed() throws Exception {
    assertThatThrownBy(() -> SigningKey.parse(resource("conforma-empty-password.cosign.key"), "nope", "cosign.key"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("wrong password");
  }

  @Test
  void encryptedRoundTripWithCosignParameters() throws Exception {
    SigningKey key = SigningKey.generate();
    String pem = key.cosignPem("s3cret");
    assertThat(pem).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
    String json = new String(Base64.getMimeDecoder().decode(pem.lines().filter(l -> !l.startsWith("-----"))
        .reduce("", String::concat)), StandardCharsets.UTF_8);
    assertThat(json).startsWith("{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":32768,\"r\":8,\"p\":1},\"salt\":\"")
        .contains("\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"").contains("\"ciphertext\":\"");
    SigningKey back = SigningKey.parse(pem, "s3cret", "k");
    assertThat(back.verificationKey()).isEqualTo(key.verificationKey());
    assertThatThrownBy(() -> SigningKey.parse(pem, "other", "k")).hasMessageContaining("wrong password");
  }

  @Test
  void tamperedCiphertextIsRefused() throws Exception {
    String pem = SigningKey.generate().cosignPem("pw");
    byte[] body = Base64.getMimeDecoder().decode(pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat));
    String json = new String(body, StandardCharsets.UTF_8);
    int at = json.indexOf("\"ciphertext\":\"") + 14;
    char c = json.charAt(at + 5);
    String changed = json.substring(0, at + 5) + (c == 'A' ? 'B' : 'A') + json.substring(at + 6);
    String bad = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
        + Base64.getEncoder().encodeToString(changed.getBytes(StandardCharsets.UTF_8))
        + "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
    assertThatThrownBy(() -> SigningKey.parse(bad, "pw", "k")).hasMessageContaining("cannot decrypt");
  }

  @Test
  void writesKeyPairsPrivateToTheOwnerAndNeverReplaces(@TempDir Path dir) throws Exception {
    SigningKey key = SigningKey.generate();
    key.writeCosignKeyPair(dir.resolve("a"), "pw");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/cosign.key")))).isEqualTo("rw-------");
    assertThat(VerificationKey.read(dir.resolve("a/cosign.pub"))).isEqualTo(key.verificationKey());
    assertThat(SigningKey.read(dir.resolve("a/cosign.key"), "pw").verificationKey()).isEqualTo(key.verificationKey());
    assertThatThrownBy(() -> SigningKey.generate().writeCosignKeyPair(dir.resolve("a"), "pw"))
        .isInstanceOf(FileAlreadyExistsException.class);

    key.writePemKeyPair(dir.resolve("b"));
    assertThat(Files.readString(dir.resolve("b/cosign.pem"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("b/cosign.pem")))).isEqualTo("rw-------");
    assertThat(SigningKey.read(dir.resolve("b/cosign.pem"), null).verificationKey()).isEqualTo(key.verificationKey());
  }

  @Test
  void refusesOtherPemTypesAndCurves() {
    assertThatThrownBy(() -> SigningKey.parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", null, "x"))
        .hasMessageContaining("unsupported PEM type CERTIFICATE");
    assertThatThrownBy(() -> SigningKey.parse("hello", null, "x")).hasMessageContaining("not a PEM file");
  }
}
