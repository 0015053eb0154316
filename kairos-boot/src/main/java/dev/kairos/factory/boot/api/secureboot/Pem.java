package dev.kairos.factory.boot.api.secureboot;

import dev.kairos.factory.core.api.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/** Reads and writes the PEM files of Secure Boot keys and certificates (as openssl writes them). */
public final class Pem {
  /** BouncyCastle's provider, not registered globally: the JDK lacks the PBES2/3DES parameters openssl uses. */
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();

  private Pem() {
  }

  /**
   * A private key from PEM: PKCS#8, PKCS#1 ("RSA PRIVATE KEY"), or either encrypted with
   * {@code passphrase} (may be null for plain keys).
   */
  public static PrivateKey readPrivateKey(Path pem, String passphrase) throws IOException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    try (PEMParser p = new PEMParser(new StringReader(text))) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
        o = enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC)
            .build(passphrase(pem, passphrase)));
      } else if (o instanceof PEMEncryptedKeyPair enc) {
        o = enc.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC).build(passphrase(pem, passphrase)));
      }
      if (o instanceof PEMKeyPair kp) {
        return conv.getPrivateKey(kp.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return conv.getPrivateKey(info);
      }
      throw new InvalidInputException(pem.toString(), "no private key in this PEM file (found "
          + (o == null ? "nothing" : o.getClass().getSimpleName()) + ")");
    } catch (OperatorCreationException | PKCSException e) {
      throw new InvalidInputException(pem.toString(), "cannot decrypt the private key: " + e.getMessage());
    }
  }

  private static char[] passphrase(Path pem, String passphrase) throws InvalidInputException {
    if (passphrase == null) {
      throw new InvalidInputException(pem.toString(), "the private key is encrypted and no passphrase was given");
    }
    return passphrase.toCharArray();
  }

  /** An X.509 certificate from a PEM or DER file. */
  public static X509Certificate readCertificate(Path file) throws IOException {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
    } catch (CertificateException e) {
      throw new InvalidInputException(file.toString(), "not an X.509 certificate: " + e.getMessage());
    }
  }

  /** PEM text of a key, certificate or public key, as openssl writes it. */
  public static String encode(Object keyOrCertificate) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(keyOrCertificate);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot PEM-encode " + keyOrCertificate.getClass().getName(), e);
    }
    return w.toString();
  }
}
