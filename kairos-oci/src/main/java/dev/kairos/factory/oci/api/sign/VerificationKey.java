package dev.kairos.factory.oci.api.sign;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.oci.internal.sign.PemBlock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * An ECDSA P-256 public key, as in cosign's {@code cosign.pub} (PEM {@code PUBLIC KEY}, X.509
 * SubjectPublicKeyInfo): verifies SHA-256 ECDSA signatures in ASN.1 DER, as cosign and
 * {@code openssl dgst -sha256 -verify} do.
 */
public final class VerificationKey {
  static final ECParameterSpec P256 = p256();

  private final ECPublicKey key;

  VerificationKey(ECPublicKey key) {
    this.key = key;
  }

  /**
   * Reads a PEM {@code PUBLIC KEY} file.
   *
   * @throws InvalidInputException if it is not a PEM public key, or not on P-256
   */
  public static VerificationKey read(Path pem) throws IOException {
    return parse(Files.readString(pem, StandardCharsets.US_ASCII), pem.toString());
  }

  /**
   * Parses PEM text; {@code source} names it in errors.
   *
   * @throws InvalidInputException if it is not a PEM public key, or not on P-256
   */
  public static VerificationKey parse(String pem, String source) throws InvalidInputException {
    PemBlock block = PemBlock.parse(pem, source);
    if (!block.type().equals("PUBLIC KEY")) {
      throw new InvalidInputException(source, "expected a PUBLIC KEY, found " + block.type());
    }
    try {
      if (KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(block.bytes())) instanceof ECPublicKey ec) {
        requireP256(ec.getParams(), source);
        return new VerificationKey(ec);
      }
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException(source, "not an EC public key: " + e.getMessage());
    }
    throw new InvalidInputException(source, "not an EC public key");
  }

  /** Whether {@code derSignature} is this key's ECDSA signature of SHA-256({@code data}). */
  public boolean verifies(byte[] data, byte[] derSignature) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initVerify(key);
      s.update(data);
      return s.verify(derSignature);
    } catch (java.security.SignatureException malformed) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks SHA256withECDSA", e);
    }
  }

  /** The key as PEM text ({@code PUBLIC KEY}), as cosign writes {@code cosign.pub}. */
  public String pem() {
    return new PemBlock("PUBLIC KEY", key.getEncoded()).text();
  }

  /** The JDK key. */
  public ECPublicKey publicKey() {
    return key;
  }

  static void requireP256(ECParameterSpec params, String source) throws InvalidInputException {
    if (!params.getOrder().equals(P256.getOrder()) || !params.getGenerator().equals(P256.getGenerator())) {
      throw new InvalidInputException(source, "only ECDSA P-256 keys are supported (cosign's default)");
    }
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec("secp256r1"));
      return p.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks secp256r1", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerificationKey v && v.key.getW().equals(key.getW());
  }

  @Override
  public int hashCode() {
    return key.getW().hashCode();
  }

  @Override
  public String toString() {
    return "VerificationKey[P-256]";
  }
}
