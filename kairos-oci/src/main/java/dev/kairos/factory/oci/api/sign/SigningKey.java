package dev.kairos.factory.oci.api.sign;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.oci.internal.sign.EncryptedKey;
import dev.kairos.factory.oci.internal.sign.PemBlock;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.sec.SECNamedCurves;

/**
 * An ECDSA P-256 private key with its public half, read from the files cosign and openssl write:
 * cosign's encrypted {@code cosign.key} ({@code ENCRYPTED SIGSTORE PRIVATE KEY}, or the older
 * {@code ENCRYPTED COSIGN PRIVATE KEY}: scrypt + NaCl secretbox), PKCS#8 {@code PRIVATE KEY}, or
 * SEC1 {@code EC PRIVATE KEY} ({@code openssl ecparam -genkey}). Signs SHA-256 ECDSA in ASN.1 DER.
 *
 * <pre>{@code
 * SigningKey key = SigningKey.generate();
 * List<Path> files = key.writeCosignKeyPair(Path.of("keys"), System.getenv("COSIGN_PASSWORD"));
 * SigningKey again = SigningKey.read(Path.of("keys/cosign.key"), System.getenv("COSIGN_PASSWORD"));
 * }</pre>
 */
public final class SigningKey {
  /** The private key file {@link #writeCosignKeyPair} writes. */
  public static final String COSIGN_KEY = "cosign.key";
  /** The private key file {@link #writePemKeyPair} writes. */
  public static final String PEM_KEY = "cosign.pem";
  /** The public key file both write. */
  public static final String PUBLIC_KEY = "cosign.pub";

  private final ECPrivateKey key;
  private final VerificationKey verificationKey;

  private SigningKey(ECPrivateKey key, VerificationKey verificationKey) {
    this.key = key;
    this.verificationKey = verificationKey;
  }

  /** A new random P-256 key. */
  public static SigningKey generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair kp = g.generateKeyPair();
      return new SigningKey((ECPrivateKey) kp.getPrivate(), new VerificationKey((ECPublicKey) kp.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks secp256r1", e);
    }
  }

  /**
   * Reads a private key file; {@code password} opens cosign's encrypted form (null counts as
   * empty, as cosign reads an unset {@code COSIGN_PASSWORD}) and is ignored for plain keys.
   *
   * @throws InvalidInputException if the file is not one of the forms above, the password is wrong, or the key is not P-256
   */
  public static SigningKey read(Path file, String password) throws IOException {
    return parse(Files.readString(file, StandardCharsets.US_ASCII), password, file.toString());
  }

  /**
   * Parses PEM text as {@link #read} does; {@code source} names it in errors.
   *
   * @throws InvalidInputException if the text is not one of the forms above, the password is wrong, or the key is not P-256
   */
  public static SigningKey parse(String pem, String password, String source) throws InvalidInputException {
    PemBlock block = PemBlock.parse(pem, source);
    byte[] pkcs8 = switch (block.type()) {
      case EncryptedKey.PEM_TYPE, EncryptedKey.LEGACY_PEM_TYPE ->
          EncryptedKey.decrypt(block.bytes(), EncryptedKey.utf8(password), source);
      case "PRIVATE KEY" -> block.bytes();
      case "EC PRIVATE KEY" -> sec1ToPkcs8(block.bytes(), source);
      default -> throw new InvalidInputException(source, "unsupported PEM type " + block.type()
          + " (expected " + EncryptedKey.PEM_TYPE + ", PRIVATE KEY or EC PRIVATE KEY)");
    };
    ECPrivateKey k;
    try {
      if (!(KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8)) instanceof ECPrivateKey ec)) {
        throw new InvalidInputException(source, "not an EC private key");
      }
      k = ec;
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException(source, "not an EC private key (cosign's ECDSA P-256): " + e.getMessage());
    }
    VerificationKey.requireP256(k.getParams(), source);
    return new SigningKey(k, new VerificationKey(publicOf(k)));
  }

  /** The public half. */
  public VerificationKey verificationKey() {
    return verificationKey;
  }

  /** The ECDSA signature of SHA-256({@code data}), ASN.1 DER, as cosign and {@code openssl dgst -sha256 -sign} make. */
  public byte[] sign(byte[] data) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with SHA256withECDSA", e);
    }
  }

  /** This key in PKCS#8 PEM ({@code PRIVATE KEY}), unencrypted. */
  public String pkcs8Pem() {
    return new PemBlock("PRIVATE KEY", key.getEncoded()).text();
  }

  /** This key in cosign's encrypted PEM ({@code ENCRYPTED SIGSTORE PRIVATE KEY}) under {@code password} (null: empty). */
  public String cosignPem(String password) {
    return new PemBlock(EncryptedKey.PEM_TYPE, EncryptedKey.encrypt(key.getEncoded(), EncryptedKey.utf8(password))).text();
  }

  /**
   * Writes {@code cosign.key} (encrypted under {@code password}, mode 0600) and {@code cosign.pub}
   * into {@code dir} (created if missing), as {@code cosign generate-key-pair} does; returns the paths.
   *
   * @throws FileAlreadyExistsException if either file exists (a key is never replaced)
   */
  public List<Path> writeCosignKeyPair(Path dir, String password) throws IOException {
    return writePair(dir, COSIGN_KEY, cosignPem(password));
  }

  /**
   * Writes {@code cosign.pem} (unencrypted PKCS#8, mode 0600) and {@code cosign.pub} into {@code dir}.
   *
   * @throws FileAlreadyExistsException if either file exists
   */
  public List<Path> writePemKeyPair(Path dir) throws IOException {
    return writePair(dir, PEM_KEY, pkcs8Pem());
  }

  private List<Path> writePair(Path dir, String privateName, String privatePem) throws IOException {
    Path priv = dir.resolve(privateName);
    Path pub = dir.resolve(PUBLIC_KEY);
    for (Path p : List.of(priv, pub)) {
      if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(p.toString(), null, "a key file is already there; not replaced");
      }
    }
    AtomicFile.write(priv, t -> Files.writeString(t, privatePem, StandardCharsets.US_ASCII),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    AtomicFile.write(pub, t -> Files.writeString(t, verificationKey.pem(), StandardCharsets.US_ASCII));
    return List.of(priv, pub);
  }

  private static byte[] sec1ToPkcs8(byte[] sec1, String source) throws InvalidInputException {
    try {
      org.bouncycastle.asn1.sec.ECPrivateKey k = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(sec1);
      AlgorithmIdentifier alg = new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, k.getParametersObject());
      return new PrivateKeyInfo(alg, k).getEncoded();
    } catch (IOException | RuntimeException e) {
      throw new InvalidInputException(source, "malformed EC PRIVATE KEY: " + e.getMessage());
    }
  }

  /** Q = d·G on P-256 (a PKCS#8 key need not carry its public point). */
  private static ECPublicKey publicOf(ECPrivateKey k) {
    X9ECParameters curve = SECNamedCurves.getByName("secp256r1");
    BigInteger d = k.getS();
    org.bouncycastle.math.ec.ECPoint q = curve.getG().multiply(d).normalize();
    try {
      return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
          new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), k.getParams()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot derive the public key", e);
    }
  }

  @Override
  public String toString() {
    return "SigningKey[P-256]";
  }
}
