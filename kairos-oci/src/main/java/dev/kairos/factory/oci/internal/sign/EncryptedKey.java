package dev.kairos.factory.oci.internal.sign;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.oci.internal.image.Json;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.bouncycastle.crypto.generators.SCrypt;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of cosign's {@code ENCRYPTED SIGSTORE PRIVATE KEY} (the format of go-tuf's
 * {@code encrypted} package, which sigstore's cryptoutils uses): JSON with the scrypt parameters
 * and salt, the secretbox nonce, and the sealed PKCS#8 key; byte fields are standard base64, as
 * Go's encoding/json writes {@code []byte}. Cosign writes N=32768, r=8, p=1.
 */
public final class EncryptedKey {
  /** The PEM type cosign writes since v1.12. */
  public static final String PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY";
  /** The PEM type of older cosign releases, still read by cosign. */
  public static final String LEGACY_PEM_TYPE = "ENCRYPTED COSIGN PRIVATE KEY";
  static final int N = 32768;
  static final int R = 8;
  static final int P = 1;
  /** Bounds against a key file that asks for gigabytes of scrypt memory (128 * r * N bytes). */
  private static final long MAX_SCRYPT_MEMORY = 1L << 30;
  private static final SecureRandom RANDOM = new SecureRandom();

  private EncryptedKey() {}

  /** Seals {@code plaintext} (a PKCS#8 key) with a key derived from {@code password}; returns the JSON bytes. */
  public static byte[] encrypt(byte[] plaintext, byte[] password) {
    byte[] salt = new byte[32];
    byte[] nonce = new byte[SecretBox.NONCE];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(nonce);
    byte[] key = SCrypt.generate(password, salt, N, R, P, SecretBox.KEY);
    ObjectNode root = Json.object();
    ObjectNode kdf = root.putObject("kdf");
    kdf.put("name", "scrypt");
    ObjectNode params = kdf.putObject("params");
    params.put("N", N);
    params.put("r", R);
    params.put("p", P);
    kdf.put("salt", b64(salt));
    ObjectNode cipher = root.putObject("cipher");
    cipher.put("name", "nacl/secretbox");
    cipher.put("nonce", b64(nonce));
    root.put("ciphertext", b64(SecretBox.seal(plaintext, nonce, key)));
    return Json.bytes(root);
  }

  /**
   * Opens the JSON {@code body} with {@code password}.
   *
   * @throws InvalidInputException if the JSON is not this format, or the password is wrong
   */
  public static byte[] decrypt(byte[] body, byte[] password, String source) throws InvalidInputException {
    ObjectNode root = Json.parse(body, source);
    JsonNode kdf = root.path("kdf");
    JsonNode cipher = root.path("cipher");
    if (!"scrypt".equals(kdf.path("name").asString(""))) {
      throw new InvalidInputException(source, "unsupported key derivation '" + kdf.path("name").asString("") + "' (expected scrypt)");
    }
    if (!"nacl/secretbox".equals(cipher.path("name").asString(""))) {
      throw new InvalidInputException(source, "unsupported cipher '" + cipher.path("name").asString("") + "' (expected nacl/secretbox)");
    }
    int n = kdf.path("params").path("N").asInt(0);
    int r = kdf.path("params").path("r").asInt(0);
    int p = kdf.path("params").path("p").asInt(0);
    if (n < 2 || Integer.bitCount(n) != 1 || r < 1 || p < 1 || 128L * r * n > MAX_SCRYPT_MEMORY || p > 16) {
      throw new InvalidInputException(source, "scrypt parameters out of range: N=" + n + " r=" + r + " p=" + p);
    }
    byte[] salt = unb64(kdf.path("salt"), "kdf.salt", source);
    byte[] nonce = unb64(cipher.path("nonce"), "cipher.nonce", source);
    byte[] box = unb64(root.path("ciphertext"), "ciphertext", source);
    if (nonce.length != SecretBox.NONCE) {
      throw new InvalidInputException(source, "cipher.nonce has " + nonce.length + " bytes, expected " + SecretBox.NONCE);
    }
    byte[] key = SCrypt.generate(password, salt, n, r, p, SecretBox.KEY);
    Optional<byte[]> plain = SecretBox.open(box, nonce, key);
    if (plain.isEmpty()) {
      throw new InvalidInputException(source, "cannot decrypt the private key: wrong password (COSIGN_PASSWORD)");
    }
    return plain.get();
  }

  public static byte[] utf8(String password) {
    return password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static byte[] unb64(JsonNode n, String field, String source) throws InvalidInputException {
    if (!n.isString()) {
      throw new InvalidInputException(source, field + " is missing");
    }
    try {
      return Base64.getDecoder().decode(n.asString());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(source, field + " is not base64: " + e.getMessage());
    }
  }
}
