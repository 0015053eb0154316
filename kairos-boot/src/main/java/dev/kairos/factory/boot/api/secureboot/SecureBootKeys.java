package dev.kairos.factory.boot.api.secureboot;

import dev.kairos.factory.boot.api.gpt.Guids;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.io.AtomicFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Generates a Secure Boot key set as {@code auroraboot genkey} does: PK, KEK and db RSA-2048 keys
 * with self-signed certificates ({@code CN=<name>-<PK|KEK|db>}), in PEM and DER, their EFI
 * signature lists, and time-based authenticated variable updates ({@code .auth}: PK signs PK and
 * KEK, KEK signs db), ready for systemd-boot's {@code loader/keys/auto} enrolment. Microsoft's
 * certificates can (and on real hardware should) be added to KEK and db from a directory.
 *
 * <pre>{@code
 * SecureBootKeys keys = SecureBootKeys.builder("acme").validityDays(3650)
 *     .microsoftCertificates(Path.of("ms-certs"))   // ms-certs/KEK/*.der, ms-certs/db/*.der
 *     .build();
 * keys.writeTo(Path.of("keys"));   // {PK,KEK,db}.{key,pem,der,esl,auth}, tpm2-pcr-private.pem
 * }</pre>
 */
public final class SecureBootKeys {
  /** The name of the file holding the PCR policy signing key. */
  private static final String PCR_KEY = "tpm2-pcr-private.pem";

  /** The last instant an X.509 certificate can be valid to (GeneralizedTime ends with year 9999). */
  private static final Instant LAST_VALIDITY = Instant.parse("9999-12-31T23:59:59Z");

  /** The three Secure Boot variables. */
  public enum Kind {
    /** The Platform Key. */ PK, /** The Key Exchange Keys. */ KEK, /** The allowed signatures database. */ db
  }

  /** {@code EFI_GLOBAL_VARIABLE}, the vendor of PK and KEK. */
  public static final UUID EFI_GLOBAL_VARIABLE = UUID.fromString("8be4df61-93ca-11d2-aa0d-00e098032b8c");
  /** {@code EFI_IMAGE_SECURITY_DATABASE_GUID}, the vendor of db. */
  public static final UUID IMAGE_SECURITY_DATABASE = UUID.fromString("d719b2cb-3d3a-4596-a3bc-dad00e67656f");
  /** {@code EFI_CERT_TYPE_PKCS7_GUID}. */
  public static final UUID CERT_TYPE_PKCS7 = UUID.fromString("4aafd29d-68df-49ee-8aa9-347d375665a7");
  /** NV | BS | RT | TIME_BASED_AUTHENTICATED_WRITE_ACCESS. */
  public static final int AUTH_ATTRIBUTES = 0x27;

  private final Map<Kind, PrivateKey> keys;
  private final Map<Kind, X509Certificate> certs;
  private final Map<Kind, byte[]> esls;
  private final Map<Kind, byte[]> auths;
  private final PrivateKey pcrKey;

  private SecureBootKeys(Map<Kind, PrivateKey> keys, Map<Kind, X509Certificate> certs, Map<Kind, byte[]> esls,
      Map<Kind, byte[]> auths, PrivateKey pcrKey) {
    this.keys = keys;
    this.certs = certs;
    this.esls = esls;
    this.auths = auths;
    this.pcrKey = pcrKey;
  }

  /**
   * Starts a key set whose certificates are named {@code CN=<name>-PK} etc.; {@code name} is 1-64 of
   * {@code [A-Za-z0-9._ -]}, else IllegalArgumentException.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The RSA-2048 private key of the variable. */
  public PrivateKey key(Kind kind) {
    return keys.get(kind);
  }

  /** The self-signed certificate of the variable's key. */
  public X509Certificate certificate(Kind kind) {
    return certs.get(kind);
  }

  /** The signature list of the variable (our certificate plus any added ones). */
  public byte[] esl(Kind kind) {
    return esls.get(kind).clone();
  }

  /** The authenticated variable update ({@code EFI_VARIABLE_AUTHENTICATION_2} followed by the ESL). */
  public byte[] auth(Kind kind) {
    return auths.get(kind).clone();
  }

  /** The RSA key that signs PCR 11 policies ({@code tpm2-pcr-private.pem}). */
  public PrivateKey pcrKey() {
    return pcrKey;
  }

  /**
   * Writes the key files into {@code dir}, refusing to replace an existing key set: {@link
   * #writeTo(Path, boolean) writeTo(dir, false)}.
   */
  public List<Path> writeTo(Path dir) throws IOException {
    return writeTo(dir, false);
  }

  /**
   * Writes the key files into {@code dir}. A directory this creates is created with mode 0700; an
   * existing one keeps its mode. Private keys ({@code *.key}, {@code tpm2-pcr-private.pem}) are
   * created with mode 0600 before their first byte is written; every file is written beside its
   * name and renamed into place, so a failure leaves no partial file.
   *
   * @param overwrite whether key files already in {@code dir} may be replaced
   * @return the files written, in the order written
   * @throws KairosException if {@code overwrite} is false and any of the files exists (nothing is
   *     written then)
   */
  public List<Path> writeTo(Path dir, boolean overwrite) throws IOException {
    Map<String, byte[]> files = new java.util.LinkedHashMap<>();
    for (Kind k : Kind.values()) {
      files.put(k + ".key", pkcs8(keys.get(k)).getBytes(StandardCharsets.US_ASCII));
      files.put(k + ".pem", Pem.encode(certs.get(k)).getBytes(StandardCharsets.US_ASCII));
      try {
        files.put(k + ".der", certs.get(k).getEncoded());
      } catch (GeneralSecurityException e) {
        throw new KairosException("cannot encode the " + k + " certificate", e);
      }
      files.put(k + ".esl", esls.get(k));
      files.put(k + ".auth", auths.get(k));
    }
    files.put(PCR_KEY, pkcs8(pcrKey).getBytes(StandardCharsets.US_ASCII));
    if (!overwrite) {
      List<String> present = files.keySet().stream().filter(n -> Files.exists(dir.resolve(n))).toList();
      if (!present.isEmpty()) {
        throw new KairosException(dir + ": holds a key set already (" + String.join(", ", present)
            + "); it is not replaced unless asked to (--force)");
      }
    }
    if (!Files.isDirectory(dir)) {
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      createPrivateDirectory(dir);
    }
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      byte[] bytes = f.getValue();
      boolean secret = f.getKey().endsWith(".key") || f.getKey().equals(PCR_KEY);
      written.add(secret
          ? AtomicFile.write(dir.resolve(f.getKey()), t -> Files.write(t, bytes), ownerOnly(dir, "rw-------"))
          : AtomicFile.write(dir.resolve(f.getKey()), t -> Files.write(t, bytes)));
    }
    return written;
  }

  private static void createPrivateDirectory(Path dir) throws IOException {
    try {
      Files.createDirectory(dir, ownerOnly(dir, "rwx------"));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // Made by someone else meanwhile: theirs, its mode stays.
    }
  }

  /** The mode {@code perms} as a creation attribute; none where the file system has no POSIX modes. */
  private static FileAttribute<?>[] ownerOnly(Path dir, String perms) {
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))};
  }

  private static String pkcs8(PrivateKey key) throws IOException {
    java.io.StringWriter w = new java.io.StringWriter();
    try (PemWriter pw = new PemWriter(w)) {
      pw.writeObject(new JcaPKCS8Generator(key, null));
    }
    return w.toString();
  }

  /**
   * A time-based authenticated update of variable {@code kind} to {@code esl}, signed by
   * {@code signer}: the detached PKCS#7 SignedData (no signed attributes) over name, vendor GUID,
   * attributes, timestamp and data, as {@code sign-efi-sig-list} makes it.
   */
  public static byte[] authenticatedVariable(Kind kind, byte[] esl, Instant timestamp, PrivateKey signerKey,
      X509Certificate signerCert) throws KairosException {
    byte[] time = efiTime(timestamp);
    UUID vendor = kind == Kind.db ? IMAGE_SECURITY_DATABASE : EFI_GLOBAL_VARIABLE;
    ByteArrayOutputStream signed = new ByteArrayOutputStream();
    signed.writeBytes(kind.name().getBytes(StandardCharsets.UTF_16LE));
    signed.writeBytes(Guids.toMixedEndian(vendor));
    signed.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(AUTH_ATTRIBUTES).array());
    signed.writeBytes(time);
    signed.writeBytes(esl);
    byte[] pkcs7;
    try {
      ContentSigner cs = new JcaContentSignerBuilder("SHA256withRSA").build(signerKey);
      CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
      gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build(),
          // ...and names the signature algorithm rsaEncryption, as openssl's PKCS7_sign does.
          sigAlg -> new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE))
          .setDirectSignature(true)
          // openssl writes the SHA-256 identifier with explicit NULL parameters; so do we, for identical bytes.
          .setContentDigest(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE))
          .build(cs, signerCert));
      gen.addCertificates(new JcaCertStore(List.of(signerCert)));
      CMSSignedData sd = gen.generate(new CMSProcessableByteArray(signed.toByteArray()), false);
      // UEFI wants the bare SignedData, not wrapped in a ContentInfo.
      pkcs7 = sd.toASN1Structure().getContent().toASN1Primitive().getEncoded("DER");
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
        | org.bouncycastle.cms.CMSException | IOException e) {
      throw new KairosException("cannot sign the " + kind + " update: " + e.getMessage(), e);
    }
    ByteBuffer b = ByteBuffer.allocate(16 + 24 + pkcs7.length + esl.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(time).putInt(24 + pkcs7.length).putShort((short) 0x0200).putShort((short) 0x0EF1);
    b.put(Guids.toMixedEndian(CERT_TYPE_PKCS7)).put(pkcs7).put(esl);
    return b.array();
  }

  private static byte[] efiTime(Instant t) {
    LocalDateTime d = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) d.getYear()).put((byte) d.getMonthValue()).put((byte) d.getDayOfMonth())
        .put((byte) d.getHour()).put((byte) d.getMinute()).put((byte) d.getSecond());
    return b.array(); // pad, nanoseconds, time zone and daylight stay 0
  }

  /** What to generate. */
  public static final class Builder {
    private final String name;
    private int validityDays = 365;
    private UUID owner;
    private Instant timestamp;
    private final Map<Kind, List<X509Certificate>> extraCerts = new EnumMap<>(Kind.class);
    private final Map<Kind, List<byte[]>> extraEsls = new EnumMap<>(Kind.class);

    private Builder(String name) {
      if (name == null || !name.matches("[A-Za-z0-9._ -]{1,64}")) {
        throw new IllegalArgumentException("a key set name is 1-64 of [A-Za-z0-9._ -], got '" + name + "'");
      }
      this.name = name;
    }

    /** Certificate validity; default 365 days. */
    public Builder validityDays(int days) {
      if (days < 1) {
        throw new IllegalArgumentException("validity must be at least one day, got " + days);
      }
      long max = ChronoUnit.DAYS.between(Instant.now(), LAST_VALIDITY);
      if (days > max) {
        throw new IllegalArgumentException("validity must end by the year 9999 (at most " + max + " days), got " + days);
      }
      this.validityDays = days;
      return this;
    }

    /** The owner GUID of our certificates in the ESLs; default random, as AuroraBoot does. */
    public Builder owner(UUID owner) {
      this.owner = Objects.requireNonNull(owner, "owner");
      return this;
    }

    /** The timestamp of the {@code .auth} updates; default now. */
    public Builder timestamp(Instant timestamp) {
      this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
      return this;
    }

    /**
     * Adds Microsoft's certificates (PEM or DER files) from {@code dir/KEK/} to KEK and from
     * {@code dir/db/} to db, owned by {@link EfiSignatureList#MICROSOFT_OWNER}. Without them,
     * enrolling the keys can brick machines whose option ROMs are Microsoft-signed.
     */
    public Builder microsoftCertificates(Path dir) throws IOException {
      for (Kind k : new Kind[] {Kind.KEK, Kind.db}) {
        Path sub = dir.resolve(k.name());
        if (!Files.isDirectory(sub)) {
          throw new java.nio.file.NoSuchFileException(sub.toString(), null, "expected a directory of "
              + k + " certificates");
        }
        try (Stream<Path> s = Files.list(sub)) {
          for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
            extraCerts.computeIfAbsent(k, x -> new ArrayList<>()).add(Pem.readCertificate(f));
          }
        }
      }
      return this;
    }

    /** Appends firmware-exported signature lists ({@code db}, {@code KEK} files of a custom-cert dir) as they are. */
    public Builder appendSignatureList(Kind kind, byte[] esl) {
      if (kind == Kind.PK) {
        throw new IllegalArgumentException("PK holds exactly one certificate; nothing can be appended");
      }
      extraEsls.computeIfAbsent(kind, x -> new ArrayList<>()).add(esl.clone());
      return this;
    }

    /**
     * Generates the keys, certificates, signature lists and {@code .auth} updates, and the PCR key.
     *
     * @throws KairosException if the JCA or BouncyCastle cannot generate or sign them
     */
    public SecureBootKeys build() throws KairosException {
      try {
        SecureRandom rnd = new SecureRandom();
        UUID own = owner != null ? owner : UUID.randomUUID();
        Instant now = timestamp != null ? timestamp : Instant.now().truncatedTo(ChronoUnit.SECONDS);
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
        kpg.initialize(2048, rnd);
        Map<Kind, PrivateKey> keys = new EnumMap<>(Kind.class);
        Map<Kind, X509Certificate> certs = new EnumMap<>(Kind.class);
        Map<Kind, byte[]> esls = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
          KeyPair kp = kpg.generateKeyPair();
          keys.put(k, kp.getPrivate());
          certs.put(k, selfSigned(kp, name + "-" + k, now, rnd));
          ByteArrayOutputStream esl = new ByteArrayOutputStream();
          esl.writeBytes(EfiSignatureList.of(certs.get(k), own));
          for (X509Certificate c : extraCerts.getOrDefault(k, List.of())) {
            esl.writeBytes(EfiSignatureList.of(c, EfiSignatureList.MICROSOFT_OWNER));
          }
          extraEsls.getOrDefault(k, List.of()).forEach(esl::writeBytes);
          esls.put(k, esl.toByteArray());
        }
        Map<Kind, byte[]> auths = new EnumMap<>(Kind.class);
        auths.put(Kind.PK, authenticatedVariable(Kind.PK, esls.get(Kind.PK), now, keys.get(Kind.PK), certs.get(Kind.PK)));
        auths.put(Kind.KEK, authenticatedVariable(Kind.KEK, esls.get(Kind.KEK), now, keys.get(Kind.PK), certs.get(Kind.PK)));
        auths.put(Kind.db, authenticatedVariable(Kind.db, esls.get(Kind.db), now, keys.get(Kind.KEK), certs.get(Kind.KEK)));
        PrivateKey pcr = kpg.generateKeyPair().getPrivate();
        return new SecureBootKeys(keys, certs, esls, auths, pcr);
      } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
          | org.bouncycastle.cert.CertIOException e) {
        throw new KairosException("cannot generate the " + name + " key set: " + e.getMessage(), e);
      }
    }

    private X509Certificate selfSigned(KeyPair kp, String cn, Instant now, SecureRandom rnd)
        throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException,
        org.bouncycastle.cert.CertIOException {
      X500Name subject = new X500Name("CN=" + cn);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(127, rnd).add(BigInteger.ONE),
          Date.from(now), Date.from(now.plus(validityDays, ChronoUnit.DAYS)), subject, kp.getPublic());
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(kp.getPublic()));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }
  }

  @Override
  public String toString() {
    return "SecureBootKeys[" + certs.get(Kind.db).getSubjectX500Principal().getName().toLowerCase(Locale.ROOT) + "]";
  }
}
