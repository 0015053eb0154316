package dev.kairos.factory.oci.api;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.oci.internal.image.BaseImage;
import dev.kairos.factory.oci.internal.image.BaseImages;
import dev.kairos.factory.oci.internal.image.BlobSource;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.ImageAssembler;
import dev.kairos.factory.oci.internal.image.Layouts;
import dev.kairos.factory.oci.internal.image.Platform;
import dev.kairos.factory.oci.internal.layer.Compression;
import dev.kairos.factory.oci.internal.layer.LayerPacker;
import dev.kairos.factory.oci.internal.registry.RegistryClient;
import dev.kairos.factory.oci.internal.util.Pools;
import dev.kairos.factory.oci.internal.util.Scratch;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a built image goes as an OCI image: a registry, an OCI image layout directory, or an OCI
 * archive (a tar of a layout). Immutable; every {@code with…} method returns a changed copy.
 *
 * <pre>{@code
 * build.push(OciTarget.registry("registry.example.com/me/ubuntu-kairos:v1.0.0")
 *     .withCompression(OciTarget.LayerCompression.ZSTD)
 *     .withCredentials("me", token));
 * build.write(OciTarget.layout(Path.of("out/layout"), "v1.0.0"));
 * build.write(OciTarget.archive(Path.of("out/kairos.oci.tar")).withLayers(OciTarget.Layers.SQUASHED));
 * }</pre>
 *
 * <p>The new content is one deterministic layer (see {@link Layers}); times are clamped to the
 * image's source date, so the same root gives the same digests. The runtime config (env,
 * entrypoint, labels, ...) is carried over from the base image. A registry on
 * {@code localhost}/{@code 127.0.0.1} is spoken to over plain HTTP; elsewhere TLS unless
 * {@link #withInsecure(boolean)}. Blobs the registry has are not sent again, and a base layer of
 * the same registry is mounted across repositories where the registry allows it.
 */
public final class OciTarget implements ArtifactTarget {
  /** How the root becomes layers. */
  public enum Layers {
    /**
     * The base image's layers, reused as they are, plus one layer with what changed since the base
     * was unpacked (added and changed files, whiteouts for deleted ones). Needs a base pulled by
     * {@link OciSource} in this process; otherwise falls back to {@link #SQUASHED} with a warning.
     */
    DIFF,
    /** The whole root as a single layer. */
    SQUASHED
  }

  /** The compression of the new layer. umoci 0.4 and older Docker cannot read zstd layers. */
  public enum LayerCompression {
    GZIP,
    ZSTD,
    NONE
  }

  private enum Kind {
    REGISTRY,
    LAYOUT,
    ARCHIVE
  }

  private final Kind kind;
  private final ImageReference reference;
  private final Path path;
  private final String tag;
  private final Layers layers;
  private final LayerCompression compression;
  private final Platform platform;
  private final Map<String, String> labels;
  private final String username;
  private final String password;
  private final Boolean insecure;
  private final Path workDirectory;

  private OciTarget(Kind kind, ImageReference reference, Path path, String tag, Layers layers,
      LayerCompression compression, Platform platform, Map<String, String> labels, String username,
      String password, Boolean insecure, Path workDirectory) {
    this.kind = kind;
    this.reference = reference;
    this.path = path;
    this.tag = tag;
    this.layers = layers;
    this.compression = compression;
    this.platform = platform;
    this.labels = Map.copyOf(labels);
    this.username = username;
    this.password = password;
    this.insecure = insecure;
    this.workDirectory = workDirectory;
  }

  /**
   * Pushes to {@code reference}, such as {@code localhost:5000/me/os:v1}; without a tag it is
   * {@code latest}.
   *
   * @throws InvalidInputException if the reference is malformed or pins a digest
   */
  public static OciTarget registry(String reference) throws InvalidInputException {
    ImageReference r = ImageReference.parse(reference);
    if (r.digest().isPresent()) {
      throw new InvalidInputException("image reference '" + reference + "'", "a push target names a tag, not a digest");
    }
    return new OciTarget(Kind.REGISTRY, r, null, r.tag().orElseThrow(), Layers.DIFF, LayerCompression.GZIP, null,
        Map.of(), null, null, null, null);
  }

  /** Adds the image to the OCI image layout in {@code directory} (created if missing) under {@code tag}, keeping other tags. */
  public static OciTarget layout(Path directory, String tag) {
    return new OciTarget(Kind.LAYOUT, null, Objects.requireNonNull(directory, "directory"), checkTag(tag), Layers.DIFF,
        LayerCompression.GZIP, null, Map.of(), null, null, null, null);
  }

  /** Writes an OCI archive (a tar of an image layout, as {@code skopeo copy oci-archive:} reads) to {@code file}, tagged {@code latest}. */
  public static OciTarget archive(Path file) {
    return new OciTarget(Kind.ARCHIVE, null, Objects.requireNonNull(file, "file"), "latest", Layers.DIFF,
        LayerCompression.GZIP, null, Map.of(), null, null, null, null);
  }

  private static String checkTag(String tag) {
    if (tag == null || !tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
      throw new IllegalArgumentException("invalid tag: " + tag);
    }
    return tag;
  }

  private OciTarget copy(Layers l, LayerCompression c, Platform p, Map<String, String> lab, String u, String pw,
      Boolean ins, Path work, String t) {
    return new OciTarget(kind, reference, path, t, l, c, p, lab, u, pw, ins, work);
  }

  /** The tag inside a layout or archive. */
  public OciTarget withTag(String t) {
    if (kind == Kind.REGISTRY) {
      throw new IllegalArgumentException("a registry target takes its tag from its reference");
    }
    return copy(layers, compression, platform, labels, username, password, insecure, workDirectory, checkTag(t));
  }

  public OciTarget withLayers(Layers l) {
    return copy(Objects.requireNonNull(l), compression, platform, labels, username, password, insecure, workDirectory, tag);
  }

  public OciTarget withCompression(LayerCompression c) {
    return copy(layers, Objects.requireNonNull(c), platform, labels, username, password, insecure, workDirectory, tag);
  }

  /**
   * The platform written into the image config, such as {@code linux/arm64/v8}. By default that of
   * the base image, else the image's {@code KAIROS_TARGETARCH}, else this machine's.
   */
  public OciTarget withPlatform(String osArchVariant) throws InvalidInputException {
    return copy(layers, compression, Platform.parse(osArchVariant), labels, username, password, insecure, workDirectory, tag);
  }

  /** Adds a label to the image config (the base's labels are kept). */
  public OciTarget withLabel(String key, String value) {
    if (key == null || key.isEmpty() || value == null) {
      throw new IllegalArgumentException("label key must be non-empty and value non-null: " + key + "=" + value);
    }
    Map<String, String> l = new TreeMap<>(labels);
    l.put(key, value);
    return copy(layers, compression, platform, l, username, password, insecure, workDirectory, tag);
  }

  /** Basic credentials for the registry (a bearer token is fetched with them when the registry asks). */
  public OciTarget withCredentials(String user, String pass) {
    if (user == null || user.isEmpty() || pass == null) {
      throw new IllegalArgumentException("credentials need a user name and a password");
    }
    return copy(layers, compression, platform, labels, user, pass, insecure, workDirectory, tag);
  }

  /** Plain HTTP without TLS; the default is true only for loopback registries. */
  public OciTarget withInsecure(boolean plainHttp) {
    return copy(layers, compression, platform, labels, username, password, plainHttp, workDirectory, tag);
  }

  /** Where temporary blobs go; by default a scratch directory beside the image's root, removed afterwards. */
  public OciTarget withWorkDirectory(Path dir) {
    return copy(layers, compression, platform, labels, username, password, insecure, Objects.requireNonNull(dir), tag);
  }

  @Override
  public String description() {
    return switch (kind) {
      case REGISTRY -> "OCI image " + reference;
      case LAYOUT -> "OCI layout " + path + ":" + tag;
      case ARCHIVE -> "OCI archive " + path;
    };
  }

  @Override
  public Artifact write(BuiltImage image, EventListener events) throws IOException {
    long start = System.nanoTime();
    String step = "oci-" + kind.name().toLowerCase(java.util.Locale.ROOT);
    events.onEvent(new KairosEvent.StepStarted(step, description()));
    Optional<BaseImage> base = Optional.empty();
    if (layers == Layers.DIFF) {
      base = BaseImages.of(image.rootFs());
      if (base.isEmpty()) {
        events.log(KairosEvent.Level.WARN, description() + ": the root was not materialised from an OCI base in this"
            + " process, so its whole content goes into one squashed layer");
      }
    }
    Platform plat = platform != null ? platform : platformOf(image, base);
    ImageAssembler assembler = new ImageAssembler(image.sourceDate(), plat, labels, "kairos-factory " + layers.name().toLowerCase(java.util.Locale.ROOT));
    LayerPacker packer = new LayerPacker(image.sourceDate(), Compression.valueOf(compression.name()), events);
    Path scratchParent = workDirectory != null ? workDirectory
        : kind == Kind.REGISTRY ? image.rootFs().root().toAbsolutePath().getParent()
        : path.toAbsolutePath().getParent();
    Artifact result;
    try (Scratch scratch = Scratch.in(scratchParent, "oci")) {
      BlobStore store = new BlobStore(kind == Kind.LAYOUT ? path : scratch.dir());
      Files.createDirectories(store.root());
      LayerPacker.PackedLayer layer = packer.pack(image.rootFs(), base.map(BaseImage::snapshot), store);
      ImageAssembler.Image img = assembler.assemble(base, base.isPresent(), layer.descriptor(), layer.diffId(), store);
      BlobSource baseBlobs = baseBlobs(base);
      result = switch (kind) {
        case LAYOUT -> {
          Layouts.addImage(path, img.manifest(), img.layers(), baseBlobs, tag, plat);
          yield new Artifact(ArtifactKind.OCI_LAYOUT, path + ":" + tag, 0, Optional.of(img.manifest().digest()));
        }
        case ARCHIVE -> {
          Layouts.addImage(scratch.dir(), img.manifest(), img.layers(), baseBlobs, tag, plat);
          Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
          try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            Layouts.archive(scratch.dir(), out);
          }
          Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          yield new Artifact(ArtifactKind.OCI_ARCHIVE, path.toString(), Files.size(path), Optional.of(img.manifest().digest()));
        }
        case REGISTRY -> {
          push(img, store, base, baseBlobs, events);
          yield new Artifact(ArtifactKind.OCI_IMAGE, reference.name() + ":" + tag + "@" + img.manifest().digest(),
              0, Optional.of(img.manifest().digest()));
        }
      };
    }
    events.onEvent(new KairosEvent.StepFinished(step, Duration.ofNanos(System.nanoTime() - start), false));
    return result;
  }

  private static BlobSource baseBlobs(Optional<BaseImage> base) {
    return d -> {
      if (base.isEmpty()) {
        throw new KairosException("blob " + d.digest() + " is neither new nor part of a known base image");
      }
      return base.get().blobs().open(d);
    };
  }

  private static Platform platformOf(BuiltImage image, Optional<BaseImage> base) throws InvalidInputException {
    if (base.isPresent() && base.get().config().has("architecture")) {
      var c = base.get().config();
      return new Platform(c.path("os").asString("linux"), c.path("architecture").asString(), c.path("variant").asString(""));
    }
    String arch = image.kairosRelease().get("KAIROS_TARGETARCH");
    return arch != null && !arch.isBlank() ? Platform.parse("linux/" + arch) : Platform.host();
  }

  private void push(ImageAssembler.Image img, BlobStore store, Optional<BaseImage> base, BlobSource baseBlobs,
      EventListener events) throws IOException {
    boolean plain = insecure != null ? insecure : reference.isLoopback();
    {
      RegistryClient client = new RegistryClient(reference, plain, username, password, Pools.shared());
      List<Descriptor> blobs = new ArrayList<>(img.layers());
      blobs.add(img.config());
      Optional<String> mountFrom = base.flatMap(BaseImage::sourceRepository)
          .filter(r -> r.startsWith(reference.registry() + "/"))
          .map(r -> r.substring(reference.registry().length() + 1));
      for (Descriptor d : blobs) {
        if (client.hasBlob(d)) {
          events.onEvent(new KairosEvent.CacheHit("blob already in " + reference.name(), d.digest()));
          continue;
        }
        if (mountFrom.isPresent() && !store.has(d.digest(), d.size()) && client.mount(d, mountFrom.get())) {
          events.onEvent(new KairosEvent.CacheHit("blob mounted from " + mountFrom.get(), d.digest()));
          continue;
        }
        boolean local = store.has(d.digest(), d.size());
        client.pushBlob(d, () -> local ? store.open(d.digest()) : baseBlobs.open(d));
        events.onEvent(new KairosEvent.Progress("push " + d.digest(), d.size(), d.size()));
      }
      Optional<String> pushed = client.pushManifest(img.manifestJson(), tag);
      if (pushed.isPresent() && !pushed.get().equals(img.manifest().digest())) {
        throw new KairosException(reference + ": the registry stored the manifest as " + pushed.get()
            + ", expected " + img.manifest().digest());
      }
    }
  }

  @Override
  public String toString() {
    return description();
  }
}
