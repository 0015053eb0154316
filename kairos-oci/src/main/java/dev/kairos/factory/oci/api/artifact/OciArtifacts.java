package dev.kairos.factory.oci.api.artifact;

import dev.kairos.factory.core.api.ImageText;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.internal.artifact.ArtifactManifest;
import dev.kairos.factory.oci.internal.artifact.ReferrersIndex;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import dev.kairos.factory.oci.internal.image.VerifyingInputStream;
import dev.kairos.factory.oci.internal.registry.RegistryClient;
import dev.kairos.factory.oci.internal.util.Pools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import land.oras.ContainerRef;
import land.oras.ManifestDescriptor;
import land.oras.Registry;
import land.oras.exception.OrasException;

/**
 * OCI artifacts in a registry: push files as an OCI 1.1 artifact, pull one back into a directory,
 * attach an artifact to an image as a referrer, and list what refers to an image. Immutable; the
 * {@code with…} methods return changed copies.
 *
 * <pre>{@code
 * OciArtifacts registry = OciArtifacts.create().withCreated(SourceDate.fromEnvironment());
 * OciArtifact iso = registry.push("registry.example.com/me/os:v1-iso", KairosArtifactTypes.ISO,
 *     List.of(ArtifactContent.file(Path.of("out/kairos.iso"))));
 * registry.pull("registry.example.com/me/os:v1-iso", Path.of("downloads"));   // downloads/kairos.iso
 *
 * registry.attach("registry.example.com/me/os:v1", KairosArtifactTypes.CYCLONEDX,
 *     List.of(ArtifactContent.file(Path.of("out/sbom.cdx.json"), KairosArtifactTypes.CYCLONEDX)));
 * registry.attachProvenance("registry.example.com/me/os:v1", statement.toJson(), KairosArtifactTypes.IN_TOTO);
 * for (Referrer r : registry.referrers("registry.example.com/me/os:v1")) {
 *   System.out.println(r.artifactType() + " " + r.digest());
 * }
 * }</pre>
 *
 * <p>A registry on {@code localhost}/{@code 127.0.0.1} is spoken to over plain HTTP, elsewhere
 * TLS unless {@link #withInsecure(boolean)}. Without credentials, those of the Podman/Docker login
 * files are used (over TLS only). Every pulled blob is checked against its digest and size while
 * it is written; a file whose bytes differ is never given its final name.
 */
public final class OciArtifacts {
  /** The file name of an attached provenance statement. */
  public static final String PROVENANCE_FILE = "provenance.intoto.json";
  private static final int MAX_DOCUMENT = 16 << 20;

  private final String username;
  private final String password;
  private final Boolean insecure;
  private final SourceDate created;

  private OciArtifacts(String username, String password, Boolean insecure, SourceDate created) {
    this.username = username;
    this.password = password;
    this.insecure = insecure;
    this.created = created;
  }

  /** Anonymous (or the login files'), plain HTTP for loopback registries only, no {@code created} annotation. */
  public static OciArtifacts create() {
    return new OciArtifacts(null, null, null, null);
  }

  /** With these credentials. */
  public OciArtifacts withCredentials(String user, String pass) {
    return new OciArtifacts(Objects.requireNonNull(user, "user"), Objects.requireNonNull(pass, "pass"), insecure,
        created);
  }

  /** Plain HTTP ({@code true}) or TLS ({@code false}) whatever the registry's address. */
  public OciArtifacts withInsecure(boolean plainHttp) {
    return new OciArtifacts(username, password, plainHttp, created);
  }

  /**
   * Pushed manifests carry {@code org.opencontainers.image.created} set to this date (a source
   * date, not the clock, so that the same files give the same manifest digest).
   */
  public OciArtifacts withCreated(SourceDate date) {
    return new OciArtifacts(username, password, insecure, Objects.requireNonNull(date, "date"));
  }

  /**
   * Pushes {@code contents} as one artifact of {@code artifactType}, tagged as {@code reference}
   * says (or {@code latest}).
   *
   * @throws InvalidInputException if the reference is malformed or two contents have the same name
   * @throws IllegalArgumentException if {@code contents} is empty
   */
  public OciArtifact push(String reference, String artifactType, List<ArtifactContent> contents) throws IOException {
    ImageReference ref = ImageReference.parse(reference);
    if (ref.digest().isPresent()) {
      throw new InvalidInputException(reference, "push to a tag; a digest is what the registry computes");
    }
    return pushManifest(ref, artifactType, contents, Optional.empty());
  }

  /**
   * Pushes {@code contents} as an artifact that refers to the image {@code subjectReference}
   * names ({@code subject}), untagged, and makes it findable: by the registry's referrers API
   * where it indexes the artifact itself, else by adding it to the referrers tag
   * {@code sha256-<hex>} (keeping the entries already there).
   */
  public OciArtifact attach(String subjectReference, String artifactType, List<ArtifactContent> contents)
      throws IOException {
    ImageReference ref = ImageReference.parse(subjectReference);
    Descriptor subject = describe(ref);
    return pushManifest(ref, artifactType, contents, Optional.of(subject));
  }

  /**
   * Attaches a provenance document to an image: an in-toto statement ({@link Provenance#toJson()},
   * media type {@link KairosArtifactTypes#IN_TOTO}), or a signed one (a DSSE envelope around it,
   * {@link KairosArtifactTypes#DSSE_ENVELOPE}), as the single file {@value #PROVENANCE_FILE}
   * whose media type is also the artifact's type.
   */
  public OciArtifact attachProvenance(String subjectReference, byte[] document, String mediaType) throws IOException {
    return attach(subjectReference, mediaType, List.of(ArtifactContent.bytes(PROVENANCE_FILE, mediaType, document)));
  }

  /**
   * Pulls the artifact {@code reference} names into {@code directory} (created if missing): each
   * file under its name from the manifest, written atomically and only if its bytes match their
   * digest and size.
   *
   * @throws dev.kairos.factory.oci.api.DigestMismatchException if a blob's bytes are not those
   *     its digest names (the message names the digest)
   * @throws dev.kairos.factory.core.api.UnsafePathException if a file name in the manifest is not
   *     a plain file name (it could leave {@code directory})
   */
  public OciArtifact pull(String reference, Path directory) throws IOException {
    ImageReference ref = ImageReference.parse(reference);
    Registry oras = oras(ref);
    Fetched m = fetchManifest(oras, ref);
    ArtifactManifest.Parsed p = ArtifactManifest.parse(m.json(), ref.toString());
    Files.createDirectories(directory);
    for (ArtifactFile f : p.files()) {
      Descriptor d = new Descriptor(f.mediaType(), f.digest(), f.size());
      AtomicFile.write(directory.resolve(f.name()), tmp -> {
        try (InputStream in = new VerifyingInputStream(blob(oras, ref, f.digest()), d, ref.name());
            OutputStream out = Files.newOutputStream(tmp)) {
          in.transferTo(out);
        }
      });
    }
    return artifact(ref, m.digest(), p);
  }

  /**
   * The digest of the manifest or index {@code reference} names (what a tag points to now), read
   * from the registry and computed from the bytes it served.
   */
  public String digest(String reference) throws IOException {
    return describe(ImageReference.parse(reference)).digest();
  }

  /** Reads the manifest {@code reference} names, as an artifact (nothing is downloaded but the manifest). */
  public OciArtifact describeArtifact(String reference) throws IOException {
    ImageReference ref = ImageReference.parse(reference);
    Fetched m = fetchManifest(oras(ref), ref);
    return artifact(ref, m.digest(), ArtifactManifest.parse(m.json(), ref.toString()));
  }

  /**
   * What refers to the image {@code reference} names: the registry's referrers API's answer and
   * the referrers tag's entries, merged by digest (each says where it was found).
   */
  public List<Referrer> referrers(String reference) throws IOException {
    ImageReference ref = ImageReference.parse(reference);
    Registry oras = oras(ref);
    String digest = describe(ref).digest();
    ContainerRef subject = container(ref).withDigest(digest);
    Map<String, Referrer> found = new LinkedHashMap<>();
    try {
      for (ManifestDescriptor d : oras.getReferrers(subject, null).getManifests()) {
        found.put(d.getDigest(), new Referrer(d.getDigest(), d.getMediaType(),
            Objects.requireNonNullElse(d.getArtifactType(), ""), d.getSize(),
            Objects.requireNonNullElse(d.getAnnotations(), Map.of()), Referrer.FoundBy.API));
      }
    } catch (OrasException e) {
      if (!notFound(e)) {
        throw failure(ref, "list referrers", e);
      }
      // No referrers API (as Debian's docker-registry 2.8): the tag is all there is.
    }
    for (ReferrersIndex.Entry e : tagEntries(oras, ref, digest)) {
      Referrer had = found.get(e.digest());
      found.put(e.digest(), new Referrer(e.digest(), e.mediaType(), e.artifactType(), e.size(), e.annotations(),
          had == null ? Referrer.FoundBy.TAG : Referrer.FoundBy.BOTH));
    }
    return List.copyOf(found.values());
  }

  /**
   * The newest provenance document attached to the image {@code reference} names (an in-toto
   * statement or a DSSE envelope), its bytes checked against their digest; empty if none is.
   */
  public Optional<byte[]> provenance(String reference) throws IOException {
    ImageReference ref = ImageReference.parse(reference);
    List<Referrer> all = referrers(reference);
    for (int i = all.size() - 1; i >= 0; i--) {
      Referrer r = all.get(i);
      if (r.artifactType().equals(KairosArtifactTypes.IN_TOTO)
          || r.artifactType().equals(KairosArtifactTypes.DSSE_ENVELOPE)) {
        ImageReference at = ref.withDigest(r.digest());
        Registry oras = oras(at);
        Fetched m = fetchManifest(oras, at);
        ArtifactManifest.Parsed p = ArtifactManifest.parse(m.json(), at.toString());
        if (p.files().size() != 1 || p.files().get(0).size() > MAX_DOCUMENT) {
          throw new KairosException(at + ": a provenance artifact holds one document of at most " + MAX_DOCUMENT
              + " bytes; this one holds " + p.files());
        }
        ArtifactFile f = p.files().get(0);
        try (InputStream in = blob(oras, at, f.digest())) {
          return Optional.of(VerifyingInputStream.readAll(in, new Descriptor(f.mediaType(), f.digest(), f.size()),
              at.name(), MAX_DOCUMENT));
        }
      }
    }
    return Optional.empty();
  }

  private record Fetched(String digest, String mediaType, byte[] json) {}

  private OciArtifact pushManifest(ImageReference ref, String artifactType, List<ArtifactContent> contents,
      Optional<Descriptor> subject) throws IOException {
    Objects.requireNonNull(artifactType, "artifactType");
    if (contents.isEmpty()) {
      throw new IllegalArgumentException("an artifact needs at least one file");
    }
    Registry oras = oras(ref);
    ContainerRef where = container(ref);
    List<ArtifactFile> files = new ArrayList<>();
    for (ArtifactContent c : contents) {
      ArtifactManifest.checkName(c.name());
      if (files.stream().anyMatch(f -> f.name().equals(c.name()))) {
        throw new InvalidInputException(c.name(), "two files of one artifact have this name");
      }
      ArtifactFile f = describe(c);
      files.add(f);
      pushBlob(oras, ref, where, f.digest(), f.size(), () -> open(c));
    }
    pushBlob(oras, ref, where, ArtifactManifest.EMPTY_DIGEST, ArtifactManifest.EMPTY.length,
        () -> new ByteArrayInputStream(ArtifactManifest.EMPTY));
    Map<String, String> annotations = created == null ? Map.of()
        : Map.of(ArtifactManifest.CREATED, created.instant().toString());
    byte[] json = ArtifactManifest.write(artifactType, files, subject, annotations);
    String digest = BlobStore.digest(json);
    RegistryClient client = client(ref);
    if (subject.isEmpty()) {
      client.pushManifest(json, ref.tag().orElse("latest"));
    } else if (!client.pushReferrer(json, digest)) {
      // The registry did not index it (no OCI-Subject header): the distribution spec's fallback.
      String tag = ReferrersIndex.tag(subject.get().digest());
      List<ReferrersIndex.Entry> entries = ReferrersIndex.with(tagEntries(oras, ref, subject.get().digest()),
          new ReferrersIndex.Entry(MediaTypes.OCI_MANIFEST, digest, json.length, artifactType, annotations));
      client.pushIndex(ReferrersIndex.write(entries), tag);
    }
    return artifact(ref, digest, new ArtifactManifest.Parsed(artifactType, files,
        subject.map(Descriptor::digest), annotations));
  }

  /** The entries of the referrers tag of {@code subjectDigest}; none if the tag does not exist. */
  private List<ReferrersIndex.Entry> tagEntries(Registry oras, ImageReference ref, String subjectDigest)
      throws IOException {
    String tag = ReferrersIndex.tag(subjectDigest);
    try {
      // By the tag alone: a subject reference pinned to a digest would otherwise name the subject itself.
      String json = oras.getDescriptor(ContainerRef.parse(ref.registry() + "/" + ref.repository() + ":" + tag)).getJson();
      return ReferrersIndex.parse(json.getBytes(StandardCharsets.UTF_8), ref.name() + ":" + tag);
    } catch (OrasException e) {
      if (notFound(e)) {
        return List.of();
      }
      throw failure(ref, "read referrers tag " + tag, e);
    }
  }

  private static ArtifactFile describe(ArtifactContent c) throws IOException {
    if (c.path().isPresent()) {
      Path p = c.path().get();
      return new ArtifactFile(c.name(), c.mediaType(), Artifact.sha256(p), Files.size(p));
    }
    byte[] b = c.content().orElseThrow();
    return new ArtifactFile(c.name(), c.mediaType(), BlobStore.digest(b), b.length);
  }

  private static InputStream open(ArtifactContent c) {
    try {
      return c.path().isPresent() ? Files.newInputStream(c.path().get())
          : new ByteArrayInputStream(c.content().orElseThrow());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void pushBlob(Registry oras, ImageReference ref, ContainerRef where, String digest, long size,
      java.util.function.Supplier<InputStream> open) throws IOException {
    try {
      oras.pushBlob(where.withDigest(digest), size, open, Map.of());
    } catch (OrasException e) {
      throw failure(ref, "push blob " + digest, e);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static InputStream blob(Registry oras, ImageReference ref, String digest) throws IOException {
    try {
      return oras.fetchBlob(container(ref).withDigest(digest));
    } catch (OrasException e) {
      throw failure(ref, "fetch blob " + digest, e);
    }
  }

  /** The manifest or index {@code ref} names, its digest checked when the reference pins one. */
  private static Fetched fetchManifest(Registry oras, ImageReference ref) throws IOException {
    land.oras.Descriptor d;
    try {
      d = oras.getDescriptor(container(ref));
    } catch (OrasException e) {
      throw failure(ref, "get manifest", e);
    }
    byte[] json = d.getJson().getBytes(StandardCharsets.UTF_8);
    String digest = BlobStore.digest(json);
    if (ref.digest().isPresent() && !ref.digest().get().equals(digest)) {
      throw new KairosException(ref + ": the registry served a manifest whose digest is " + digest);
    }
    String type = Objects.requireNonNullElse(d.getMediaType(), "").split(";")[0].strip();
    return new Fetched(digest, type, json);
  }

  /** The descriptor of the manifest (or index) {@code ref} names, as a subject. */
  private Descriptor describe(ImageReference ref) throws IOException {
    Fetched m = fetchManifest(oras(ref), ref);
    if (!MediaTypes.isManifest(m.mediaType()) && !MediaTypes.isIndex(m.mediaType())) {
      throw new KairosException(ref + ": not an image manifest or index (" + ImageText.quote(m.mediaType()) + ")");
    }
    return new Descriptor(m.mediaType(), m.digest(), m.json().length);
  }

  private static OciArtifact artifact(ImageReference ref, String digest, ArtifactManifest.Parsed p) {
    return new OciArtifact(ref.registry() + "/" + ref.repository() + "@" + digest, digest, p.artifactType(), p.files(),
        p.subject(), new TreeMap<>(p.annotations()));
  }

  private boolean plain(ImageReference ref) {
    return insecure != null ? insecure : ref.isLoopback();
  }

  private Registry oras(ImageReference ref) {
    Registry.Builder b = Registry.builder();
    if (plain(ref)) {
      b = b.insecure();
      if (username != null) {
        b = b.defaults(username, password);
      }
    } else {
      b = username != null ? b.defaults(username, password) : b.defaults();
    }
    // Daemon threads: a library must not keep its caller's JVM alive.
    return b.withExecutorService(Pools.shared()).build();
  }

  private RegistryClient client(ImageReference ref) throws IOException {
    return new RegistryClient(ref, plain(ref), username, password, Pools.shared());
  }

  private static ContainerRef container(ImageReference ref) {
    String name = ref.registry() + "/" + ref.repository();
    return ref.digest().map(d -> ContainerRef.parse(name + "@" + d))
        .orElseGet(() -> ContainerRef.parse(name + ":" + ref.tag().orElse("latest")));
  }

  private static boolean notFound(OrasException e) {
    Integer status = e.getStatusCode();
    return status != null && status == 404;
  }

  private static KairosException failure(ImageReference ref, String what, OrasException e) {
    Integer status = e.getStatusCode();
    return new KairosException(ref + ": " + what + " failed" + (status == null ? "" : " (HTTP " + status + ")") + ": "
        + e.getMessage(), e);
  }
}
