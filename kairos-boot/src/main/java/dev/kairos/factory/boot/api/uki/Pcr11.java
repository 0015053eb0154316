package dev.kairos.factory.boot.api.uki;

import dev.kairos.factory.core.api.KairosException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;

/**
 * PCR 11 prediction for a UKI, as systemd-stub measures it and {@code systemd-measure} computes
 * it: for each bank, from a zero PCR, every present section in canonical order is extended as its
 * name (with a NUL) and then its content, followed by the boot phases {@code enter-initrd},
 * {@code leave-initrd}, {@code sysinit} and {@code ready}, one value per phase. Also signs the
 * values as the {@code .pcrsig} JSON that systemd-cryptenroll's signed policies use.
 *
 * <pre>{@code
 * Map<String, Path> sections = Map.of(".linux", kernel, ".osrel", osrel, ".cmdline", cmdline, ".initrd", initrd);
 * Map<Pcr11.Bank, List<byte[]>> values = Pcr11.predict(sections);
 * String pcrsig = Pcr11.signedPolicy(values, pcrKey);
 * }</pre>
 */
public final class Pcr11 {
  /** The order systemd-stub measures sections in; absent ones are skipped. */
  public static final List<String> SECTION_ORDER = List.of(".linux", ".osrel", ".cmdline", ".initrd", ".splash",
      ".dtb", ".uname", ".sbat", ".pcrpkey");
  /** The boot phases systemd extends into PCR 11 after the sections. */
  public static final List<String> PHASES = List.of("enter-initrd", "leave-initrd", "sysinit", "ready");

  /** A TPM PCR bank: JCA digest name, TPM algorithm id and JSON key. */
  public enum Bank {
    /** SHA-1, TPM algorithm 0x0004. */
    SHA1("SHA-1", 0x0004, "sha1"),
    /** SHA-256, TPM algorithm 0x000B. */
    SHA256("SHA-256", 0x000B, "sha256"),
    /** SHA-384, TPM algorithm 0x000C. */
    SHA384("SHA-384", 0x000C, "sha384"),
    /** SHA-512, TPM algorithm 0x000D. */
    SHA512("SHA-512", 0x000D, "sha512");

    private final String jca;
    private final int tpmAlg;
    private final String json;

    Bank(String jca, int tpmAlg, String json) {
      this.jca = jca;
      this.tpmAlg = tpmAlg;
      this.json = json;
    }

    MessageDigest digest() {
      try {
        return MessageDigest.getInstance(jca);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(jca + " is missing from this JVM", e);
      }
    }
  }

  private Pcr11() {
  }

  /** The expected PCR 11 after each of the {@link #PHASES}, per bank, for section name to content file. */
  public static Map<Bank, List<byte[]>> predict(Map<String, Path> sections) throws IOException {
    for (String name : sections.keySet()) {
      if (!SECTION_ORDER.contains(name)) {
        throw new IllegalArgumentException("section " + name + " is not measured; measured are " + SECTION_ORDER);
      }
    }
    Map<Bank, List<byte[]>> out = new EnumMap<>(Bank.class);
    for (Bank bank : Bank.values()) {
      byte[] pcr = new byte[bank.digest().getDigestLength()];
      for (String name : SECTION_ORDER) {
        Path p = sections.get(name);
        if (p == null) {
          continue;
        }
        pcr = extend(bank, pcr, bank.digest().digest((name + "\0").getBytes(StandardCharsets.US_ASCII)));
        MessageDigest md = bank.digest();
        try (InputStream in = Files.newInputStream(p)) {
          byte[] buf = new byte[1 << 16];
          int n;
          while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
          }
        }
        pcr = extend(bank, pcr, md.digest());
      }
      List<byte[]> phases = new ArrayList<>();
      for (String phase : PHASES) {
        pcr = extend(bank, pcr, bank.digest().digest(phase.getBytes(StandardCharsets.US_ASCII)));
        phases.add(pcr);
      }
      out.put(bank, phases);
    }
    return out;
  }

  private static byte[] extend(Bank bank, byte[] pcr, byte[] measurement) {
    MessageDigest md = bank.digest();
    md.update(pcr);
    return md.digest(measurement);
  }

  /** The TPM2 PolicyPCR digest (SHA-256 policy session) binding PCR 11 of {@code bank} to {@code value}. */
  public static byte[] policyDigest(Bank bank, byte[] value) {
    byte[] pcrDigest = Bank.SHA256.digest().digest(value);
    ByteBuffer b = ByteBuffer.allocate(32 + 4 + 4 + 2 + 1 + 3 + 32);
    b.put(new byte[32]).putInt(0x0000017F); // TPM_CC_PolicyPCR
    b.putInt(1).putShort((short) bank.tpmAlg).put((byte) 3).put((byte) 0).put((byte) 0x08).put((byte) 0);
    b.put(pcrDigest);
    return Bank.SHA256.digest().digest(b.array());
  }

  /**
   * The {@code .pcrsig} JSON: per bank, one entry per phase with {@code pcrs [11]}, {@code pkfp}
   * (SHA-256 of the PKCS#1 public key), {@code pol} (policy digest) and {@code sig} (RSA PKCS#1
   * v1.5 over the policy digest, with the bank's hash). Deterministic for a given key.
   */
  public static String signedPolicy(Map<Bank, List<byte[]>> predicted, PrivateKey key) throws KairosException {
    if (!(key instanceof RSAPrivateCrtKey rsa)) {
      throw new IllegalArgumentException("the PCR policy key must be an RSA key, got " + key.getAlgorithm());
    }
    try {
      byte[] pkcs1 = new RSAPublicKey(rsa.getModulus(), rsa.getPublicExponent()).getEncoded("DER");
      String pkfp = HexFormat.of().formatHex(Bank.SHA256.digest().digest(pkcs1));
      StringBuilder sb = new StringBuilder("{");
      for (Map.Entry<Bank, List<byte[]>> e : predicted.entrySet()) {
        Bank bank = e.getKey();
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append('"').append(bank.json).append("\":[");
        List<String> entries = new ArrayList<>();
        for (byte[] value : e.getValue()) {
          byte[] pol = policyDigest(bank, value);
          Signature s = Signature.getInstance(bank.jca.replace("-", "") + "withRSA");
          s.initSign(key);
          s.update(pol);
          entries.add("{\"pcrs\":[11],\"pkfp\":\"" + pkfp + "\",\"pol\":\"" + HexFormat.of().formatHex(pol)
              + "\",\"sig\":\"" + Base64.getEncoder().encodeToString(s.sign()) + "\"}");
        }
        sb.append(String.join(",", entries)).append(']');
      }
      return sb.append('}').toString();
    } catch (GeneralSecurityException | IOException e) {
      throw new KairosException("cannot sign the PCR 11 policy: " + e.getMessage(), e);
    }
  }

  /** The public half of an RSA private key, e.g. for the {@code .pcrpkey} section. */
  public static java.security.PublicKey publicKey(PrivateKey key) throws KairosException {
    if (!(key instanceof RSAPrivateCrtKey rsa)) {
      throw new IllegalArgumentException("not an RSA key: " + key.getAlgorithm());
    }
    try {
      return java.security.KeyFactory.getInstance("RSA")
          .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
    } catch (GeneralSecurityException e) {
      throw new KairosException("cannot derive the public key: " + e.getMessage(), e);
    }
  }
}
