package dev.kairos.factory.oci.api.sign;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.api.sign.SignatureVerificationException.Reason;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import dev.kairos.factory.oci.internal.registry.RegistryClient;
import dev.kairos.factory.oci.internal.sign.SignatureManifest;
import dev.kairos.factory.oci.internal.sign.SimpleSigning;
import dev.kairos.factory.oci.internal.util.Pools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cosign's key-based signatures, made and checked without cosign: images (the simple-signing
 * payload, pushed as cosign pushes it, beside the image under {@code sha256-<hex>.sig}) and
 * blobs (a base64 signature, as {@code cosign sign-blob} writes).
 *
 * <pre>{@code
 * SigningKey key = SigningKey.read(Path.of("cosign.key"), System.getenv("COSIGN_PASSWORD"));
 * ImageReference ref = ImageReference.of("registry.example.com/me/kairos:v1.0.0");
 * ImageSignature signed = Cosign.registry().sign(ref, key);     // keeps signatures already there
 * List<ImageSignature> ok = Cosign.registry().verify(ref, VerificationKey.read(Path.of("cosign.pub")));
 *
 * String sig = Cosign.signBlob(Path.of("kairos.iso.sha256"), key);   // write it to kairos.iso.sha256.sig
 * Cosign.verifyBlob(Path.of("kairos.iso.sha256"), key.verificationKey(), sig);
 * }</pre>
 *
 * <p>What {@code cosign verify --key cosign.pub} checks besides: by default a Rekor transparency
 * log entry, which these signatures do not have (they are made offline); verify them with
 * {@code cosign verify --key cosign.pub --insecure-ignore-tlog=true}, as cosign's own
 * {@code --tlog-upload=false} signatures are.
 */
public final class Cosign {
  /** Payloads are small JSON documents; a larger layer is refused unread. */
  private static final int MAX_PAYLOAD = 1 << 20;

  private final String username;
  private final String password;
  private final Boolean insecure;
  private final Map<String, String> annotations;

  private Cosign(String username, String password, Boolean insecure, Map<String, String> annotations) {
    this.username = username;
    this.password = password;
    this.insecure = insecure;
    this.annotations = Map.copyOf(annotations);
  }

  /**
   * Signs and verifies in registries: anonymous or with the Podman/Docker login files' credentials,
   * plain HTTP for loopback registries only.
   */
  public static Cosign registry() {
    return new Cosign(null, null, null, Map.of());
  }

  /** These credentials instead of the login files'. */
  public Cosign withCredentials(String user, String pass) {
    return new Cosign(user, pass, insecure, annotations);
  }

  /** Plain HTTP (true) or HTTPS (false) whatever the registry's address. */
  public Cosign withInsecure(boolean plainHttp) {
    return new Cosign(username, password, plainHttp, annotations);
  }

  /** Puts these annotations in the payload's {@code optional} (as {@code cosign sign -a k=v}). */
  public Cosign withAnnotations(Map<String, String> optional) {
    return new Cosign(username, password, insecure, optional);
  }

  /**
   * Signs the image {@code ref} names (its manifest or index digest, resolved now if {@code ref}
   * is a tag) and pushes the signature beside it, keeping the signatures already there.
   *
   * @throws KairosException if the image is not in the registry, or the registry refuses the push
   */
  public ImageSignature sign(ImageReference ref, SigningKey key) throws IOException {
    RegistryClient client = client(ref);
    String digest = digestOf(ref, client);
    String dockerReference = dockerReference(ref);
    byte[] payload = new SimpleSigning(dockerReference, digest, annotations).bytes();
    byte[] der = key.sign(payload);
    Descriptor layer = SignatureManifest.layer(payload, der);
    String tag = SignatureManifest.tag(digest);
    Optional<RegistryClient.RawManifest> existing = client.findManifest(tag);
    SignatureManifest sigs = existing.isPresent()
        ? SignatureManifest.parse(existing.get().json(), ref.name() + ":" + tag)
        : new SignatureManifest(List.of());
    sigs = sigs.plus(layer);
    byte[] config = sigs.config();
    push(client, layer, payload);
    push(client, new Descriptor(MediaTypes.OCI_CONFIG, BlobStore.digest(config), config.length), config);
    client.pushManifest(sigs.manifest(config), tag);
    return new ImageSignature(dockerReference, digest, ref.name() + ":" + tag, layer.digest(),
        Base64.getEncoder().encodeToString(der), annotations, sigs.layers().size());
  }

  /**
   * Verifies the signatures of the image {@code ref} names with {@code key}; returns those that
   * hold (at least one).
   *
   * @throws SignatureVerificationException if none holds, with the reason of the most telling refusal
   *     (a tampered payload before one naming another digest, before another key's signature)
   */
  public List<ImageSignature> verify(ImageReference ref, VerificationKey key) throws IOException {
    RegistryClient client = client(ref);
    String digest = digestOf(ref, client);
    String tag = SignatureManifest.tag(digest);
    String subject = ref.name() + "@" + digest;
    Optional<RegistryClient.RawManifest> raw = client.findManifest(tag);
    if (raw.isEmpty()) {
      throw new SignatureVerificationException(subject, Reason.NO_SIGNATURE, "no signatures (" + ref.name() + ":" + tag
          + " does not exist)");
    }
    SignatureManifest sigs = SignatureManifest.parse(raw.get().json(), ref.name() + ":" + tag);
    List<ImageSignature> good = new ArrayList<>();
    List<SignatureVerificationException> bad = new ArrayList<>();
    for (Descriptor layer : sigs.layers()) {
      if (!SimpleSigning.MEDIA_TYPE.equals(layer.mediaType())) {
        continue;
      }
      try {
        good.add(check(client, subject, digest, ref.name() + ":" + tag, layer, key, sigs.layers().size()));
      } catch (SignatureVerificationException e) {
        bad.add(e);
      }
    }
    if (!good.isEmpty()) {
      return List.copyOf(good);
    }
    if (bad.isEmpty()) {
      throw new SignatureVerificationException(subject, Reason.NO_SIGNATURE, "no signatures in " + ref.name() + ":" + tag);
    }
    List<Reason> rank = List.of(Reason.TAMPERED, Reason.OTHER_DIGEST, Reason.MALFORMED, Reason.OTHER_KEY);
    bad.sort(Comparator.comparingInt(e -> rank.indexOf(e.reason())));
    throw bad.get(0);
  }

  private static ImageSignature check(RegistryClient client, String subject, String digest, String sigTag,
      Descriptor layer, VerificationKey key, int count) throws IOException {
    if (layer.size() > MAX_PAYLOAD) {
      throw new SignatureVerificationException(subject, Reason.MALFORMED, "payload " + layer.digest() + " is "
          + layer.size() + " bytes, larger than a signature payload can be");
    }
    byte[] payload;
    try (InputStream in = client.blob(layer)) {
      payload = in.readNBytes(MAX_PAYLOAD + 1);
    }
    String served = BlobStore.digest(payload);
    if (!served.equals(layer.digest())) {
      throw new SignatureVerificationException(subject, Reason.TAMPERED, "payload tampered: the signature manifest "
          + sigTag + " names payload " + layer.digest() + " but the registry served bytes whose digest is " + served);
    }
    String b64 = layer.annotations().get(SignatureManifest.SIGNATURE_ANNOTATION);
    byte[] der;
    try {
      der = Base64.getDecoder().decode(b64 == null ? "" : b64);
    } catch (IllegalArgumentException e) {
      throw new SignatureVerificationException(subject, Reason.MALFORMED, "the signature of payload " + layer.digest()
          + " is not base64");
    }
    if (der.length == 0) {
      throw new SignatureVerificationException(subject, Reason.MALFORMED, "payload " + layer.digest() + " has no "
          + SignatureManifest.SIGNATURE_ANNOTATION + " annotation");
    }
    if (!key.verifies(payload, der)) {
      throw new SignatureVerificationException(subject, Reason.OTHER_KEY, "the signature of payload " + layer.digest()
          + " does not verify with this key (made by another key, or over other bytes)");
    }
    SimpleSigning s;
    try {
      s = SimpleSigning.parse(payload, sigTag + " payload " + layer.digest());
    } catch (InvalidInputException e) {
      throw new SignatureVerificationException(subject, Reason.MALFORMED, e.getMessage());
    }
    if (!s.manifestDigest().equals(digest)) {
      throw new SignatureVerificationException(subject, Reason.OTHER_DIGEST, "the signed payload " + layer.digest()
          + " names image " + s.manifestDigest() + ", not " + digest + " (a signature of another image)");
    }
    return new ImageSignature(s.dockerReference(), digest, sigTag, layer.digest(), b64, s.optional(), count);
  }

  /** The base64 signature of {@code file}'s bytes, as {@code cosign sign-blob --key} prints and writes with {@code --output-signature}. */
  public static String signBlob(Path file, SigningKey key) throws IOException {
    return Base64.getEncoder().encodeToString(key.sign(Files.readAllBytes(file)));
  }

  /**
   * Checks {@code signature} (base64 DER, as {@code cosign sign-blob} writes; surrounding
   * whitespace is ignored) over {@code file}'s bytes.
   *
   * @throws SignatureVerificationException if it is not base64 or does not verify with {@code key}
   */
  public static void verifyBlob(Path file, VerificationKey key, String signature) throws IOException {
    byte[] der;
    try {
      der = Base64.getDecoder().decode(signature.strip());
    } catch (IllegalArgumentException e) {
      throw new SignatureVerificationException(file.toString(), Reason.MALFORMED, "the signature is not base64");
    }
    if (!key.verifies(Files.readAllBytes(file), der)) {
      throw new SignatureVerificationException(file.toString(), Reason.OTHER_KEY,
          "the signature does not verify with this key (made by another key, or the file changed since)");
    }
  }

  /**
   * The layer annotation that signs {@code payload} in cosign's way ({@code dev.cosignproject.cosign/signature}
   * to the base64 DER signature), for a caller that attaches its own payload (a provenance
   * statement, say) as a layer or referrer and wants it signed with the same key.
   */
  public static Map<String, String> signatureAnnotation(byte[] payload, SigningKey key) {
    return Map.of(SignatureManifest.SIGNATURE_ANNOTATION, Base64.getEncoder().encodeToString(key.sign(payload)));
  }

  private static void push(RegistryClient client, Descriptor d, byte[] bytes) throws IOException {
    if (!client.hasBlob(d)) {
      client.pushBlob(d, () -> new ByteArrayInputStream(bytes));
    }
  }

  /** The digest of the image {@code ref} names, asked of the registry even for a digest reference, so that an image not there is refused. */
  private static String digestOf(ImageReference ref, RegistryClient client) throws IOException {
    return client.manifest(ref.manifestKey()).digest();
  }

  /** As go-containerregistry names a repository (cosign's docker-reference): Docker Hub as index.docker.io. */
  static String dockerReference(ImageReference ref) {
    String registry = ref.registry().equals(ImageReference.DOCKER_HUB) ? "index.docker.io" : ref.registry();
    return registry + "/" + ref.repository();
  }

  private RegistryClient client(ImageReference ref) throws IOException {
    boolean plain = insecure != null ? insecure : ref.isLoopback();
    return new RegistryClient(ref, plain, username, password, Pools.shared());
  }

  @Override
  public String toString() {
    return "Cosign[" + (username == null ? "anonymous" : username) + (insecure == null ? "" : insecure ? ", http" : ", https")
        + "]";
  }
}
