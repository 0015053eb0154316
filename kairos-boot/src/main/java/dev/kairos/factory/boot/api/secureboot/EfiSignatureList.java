package dev.kairos.factory.boot.api.secureboot;

import dev.kairos.factory.boot.api.gpt.Guids;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.UUID;

/** EFI signature lists ({@code .esl}) of X.509 certificates, as {@code cert-to-efi-sig-list} writes them. */
public final class EfiSignatureList {
  /** {@code EFI_CERT_X509_GUID}. */
  public static final UUID CERT_X509 = UUID.fromString("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
  /** The owner GUID Microsoft uses for its certificates in KEK and db. */
  public static final UUID MICROSOFT_OWNER = UUID.fromString("77fa9abd-0359-4d32-bd60-28f4e78f784b");

  private EfiSignatureList() {
  }

  /** One {@code EFI_SIGNATURE_LIST} holding {@code cert}, owned by {@code owner}. */
  public static byte[] of(X509Certificate cert, UUID owner) {
    byte[] der;
    try {
      der = cert.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("cannot encode certificate " + cert.getSubjectX500Principal(), e);
    }
    int sigSize = 16 + der.length;
    ByteBuffer b = ByteBuffer.allocate(28 + sigSize).order(ByteOrder.LITTLE_ENDIAN);
    b.put(Guids.toMixedEndian(CERT_X509)).putInt(28 + sigSize).putInt(0).putInt(sigSize);
    b.put(Guids.toMixedEndian(owner)).put(der);
    return b.array();
  }

  /** Several lists back to back (what a variable holding several certificates contains). */
  public static byte[] concat(byte[]... lists) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] l : lists) {
      out.writeBytes(l);
    }
    return out.toByteArray();
  }
}
