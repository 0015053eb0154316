package dev.kairos.factory.boot.api.secureboot;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import net.jsign.AuthenticodeSigner;
import net.jsign.DigestAlgorithm;
import net.jsign.pe.PEFile;

/**
 * Signs EFI binaries (UKIs, systemd-boot) for Secure Boot: an Authenticode SHA-256 signature
 * with RSA PKCS#1 v1.5, no timestamp, as {@code sbsign --key db.key --cert db.pem} makes it.
 * RSA PKCS#1 v1.5 is deterministic, so signing the same file with the same key gives the same bytes.
 *
 * <pre>{@code
 * PrivateKey key = Pem.readPrivateKey(Path.of("keys/db.key"), null);
 * X509Certificate cert = Pem.readCertificate(Path.of("keys/db.pem"));
 * Authenticode.sign(Path.of("uki.efi"), Path.of("uki.signed.efi"), key, cert);
 * }</pre>
 */
public final class Authenticode {
  private Authenticode() {
  }

  /**
   * Writes a signed copy of {@code in} to {@code out} ({@code out} may equal {@code in}); the
   * signed file is made beside {@code out} and renamed over it (see {@link AtomicFile}), so
   * {@code out} never holds a half-signed binary.
   */
  public static void sign(Path in, Path out, PrivateKey key, X509Certificate cert) throws IOException {
    AuthenticodeSigner signer = new AuthenticodeSigner(new Certificate[] {cert}, key)
        .withDigestAlgorithm(DigestAlgorithm.SHA256)
        .withTimestamping(false)
        .withSignaturesReplaced(true);
    AtomicFile.write(out, tmp -> {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      try (PEFile pe = new PEFile(Files.newByteChannel(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE))) {
        signer.sign(pe);
      } catch (IOException e) {
        throw e;
      } catch (Exception e) {
        throw new KairosException("signing " + in + " failed: " + e.getMessage(), e);
      }
    });
  }
}
