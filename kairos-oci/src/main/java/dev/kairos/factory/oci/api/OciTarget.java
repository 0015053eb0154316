package dev.kairos.factory.oci.api;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.oci.internal.image.BaseImage;
import dev.kairos.factory.oci.internal.image.BaseImages;
import dev.kairos.factory.oci.internal.image.BlobSource;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.ImageAssembler;
import dev.kairos.factory.oci.internal.image.ImageIndex;
import dev.kairos.factory.oci.internal.image.Layouts;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import dev.kairos.factory.oci.internal.image.Platform;
import dev.kairos.factory.oci.internal.image.VerifyingInputStream;
import dev.kairos.factory.oci.internal.layer.Compression;
import dev.kairos.factory.oci.internal.layer.LayerPacker;
import dev.kairos.factory.oci.internal.registry.RegistryClient;
import dev.kairos.factory.oci.internal.util.Pools;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a built image goes as an OCI image: a registry, an OCI image layout directory, or an OCI
 * archive (a tar of a layout). Immutable; every {@code with…} method returns a changed copy.
 *
 * <pre>{@code
 * Artifact pushed = build.output(OciTarget.registry("registry.example.com/me/ubuntu-kairos:v1.0.0")
 *     .withCompression(OciTarget.LayerCompression.ZSTD)
 *     .withCredentials("me", token));
 * build.output(OciTarget.layout(Path.of("out/layout"), "v1.0.0"));     // size: the layout's bytes
 * build.output(OciTarget.archive(Path.of("out/kairos.oci.tar")).withLayers(OciTarget.Layers.SQUASHED));
 * }</pre>
 *
 * <p>The new content is one deterministic layer (see {@link Layers}); times are clamped to the
 * image's source date, so the same root gives the same digests. The runtime config (env,
 * entrypoint, labels, ...) is carried over from the base image; {@link #withEntrypoint},
 * {@link #withEnv} and {@link #withLabel} set parts of it over the base's. A registry on
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
    /** gzip ({@code tar+gzip}), compressed on every core; the default and what every tool reads. */
    GZIP,
    /** zstd ({@code tar+zstd}): smaller and faster to unpack, for recent runtimes only. */
    ZSTD,
    /** A plain tar. */
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
  private final ImageAssembler.Runtime runtime;

  private OciTarget(Kind kind, ImageReference reference, Path path, String tag, Layers layers,
      LayerCompression compression, Platform platform, Map<String, String> labels, String username,
      String password, Boolean insecure, Path workDirectory, ImageAssembler.Runtime runtime) {
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
    this.runtime = runtime;
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
        Map.of(), null, null, null, null, ImageAssembler.Runtime.FROM_BASE);
  }

  /** Adds the image to the OCI image layout in {@code directory} (created if missing) under {@code tag}, keeping other tags. */
  public static OciTarget layout(Path directory, String tag) {
    return new OciTarget(Kind.LAYOUT, null, Objects.requireNonNull(directory, "directory"), checkTag(tag), Layers.DIFF,
        LayerCompression.GZIP, null, Map.of(), null, null, null, null, ImageAssembler.Runtime.FROM_BASE);
  }

  /** Writes an OCI archive (a tar of an image layout, as {@code skopeo copy oci-archive:} reads) to {@code file}, tagged {@code latest}. */
  public static OciTarget archive(Path file) {
    return new OciTarget(Kind.ARCHIVE, null, Objects.requireNonNull(file, "file"), "latest", Layers.DIFF,
        LayerCompression.GZIP, null, Map.of(), null, null, null, null, ImageAssembler.Runtime.FROM_BASE);
  }

  private static String checkTag(String tag) {
    if (tag == null || !tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
      throw new IllegalArgumentException("invalid tag: " + tag);
    }
    return tag;
  }

  private OciTarget copy(Layers l, LayerCompression c, Platform p, Map<String, String> lab, String u, String pw,
      Boolean ins, Path work, String t) {
    return new OciTarget(kind, reference, path, t, l, c, p, lab, u, pw, ins, work, runtime);
  }

  /** The tag inside a layout or archive. */
  public OciTarget withTag(String t) {
    if (kind == Kind.REGISTRY) {
      throw new IllegalArgumentException("a registry target takes its tag from its reference");
    }
    return copy(layers, compression, platform, labels, username, password, insecure, workDirectory, checkTag(t));
  }

  /** How the root becomes layers; default {@link Layers#DIFF}. */
  public OciTarget withLayers(Layers l) {
    return copy(Objects.requireNonNull(l), compression, platform, labels, username, password, insecure, workDirectory, tag);
  }

  /** The compression of the new layer; default {@link LayerCompression#GZIP}. */
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

  /**
   * Sets the image config's {@code Entrypoint} (the base's is replaced; by default it is carried
   * over), e.g. {@code withEntrypoint(List.of("kairos-factory"))}.
   *
   * @throws IllegalArgumentException if {@code argv} is empty or holds a null or NUL
   */
  public OciTarget withEntrypoint(List<String> argv) {
    if (argv == null || argv.isEmpty() || argv.stream().anyMatch(a -> a == null || a.indexOf('\0') >= 0)) {
      throw new IllegalArgumentException("an entrypoint needs at least one argument, none null or with NUL: " + argv);
    }
    return withRuntime(new ImageAssembler.Runtime(Optional.of(List.copyOf(argv)), runtime.env()));
  }

  /**
   * Sets the variable {@code name} in the image config's {@code Env} (the base's other variables
   * are kept; the list is written sorted by name), e.g. {@code withEnv("PATH", "/usr/bin:/bin")}.
   *
   * @throws IllegalArgumentException if {@code name} is empty or holds {@code =} or NUL, or {@code value} is null or holds NUL
   */
  public OciTarget withEnv(String name, String value) {
    if (name == null || name.isEmpty() || name.contains("=") || name.indexOf('\0') >= 0 || value == null
        || value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("an environment variable needs a name without '=' and a value: " + name
          + "=" + value);
    }
    Map<String, String> env = new TreeMap<>(runtime.env());
    env.put(name, value);
    return withRuntime(new ImageAssembler.Runtime(runtime.entrypoint(), env));
  }

  private OciTarget withRuntime(ImageAssembler.Runtime r) {
    return new OciTarget(kind, reference, path, tag, layers, compression, platform, labels, username, password,
        insecure, workDirectory, r);
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
    String step = "oci-" + kind.name().toLowerCase(Locale.ROOT);
    events.onEvent(new KairosEvent.StepStarted(step, description()));
    Optional<BaseImage> base = base(image, events);
    Platform plat = platform != null ? platform : platformOf(image, base);
    Artifact result;
    try (ScratchDirectory scratch = ScratchDirectory.in(scratchParent(Optional.of(image)), "oci")) {
      Path dir = kind == Kind.LAYOUT ? path : scratch.dir();
      BlobStore store = new BlobStore(dir);
      Packed p = pack(image, base, plat, store, events);
      if (kind == Kind.REGISTRY) {
        RegistryClient client = client();
        pushImage(client, p, store, events);
        checkPushed(client.pushManifest(p.img().manifestJson(), tag), p.img().manifest().digest());
      } else {
        Layouts.addImage(dir, p.img().manifest(), p.img().layers(), p.baseBlobs(), tag, plat);
      }
      result = finish(dir, p.img().manifest().digest(), p.img().size());
    }
    events.onEvent(new KairosEvent.StepFinished(step, Duration.ofNanos(System.nanoTime() - start), false));
    return result;
  }

  /**
   * Writes a multi-platform image index of {@code images} under this target's tag: each built
   * image is packed as {@link #write} would (with its platform in its config) and stored by digest
   * only, then the index, listing each manifest with its platform, is tagged. The index is
   * deterministic: its entries are sorted by platform and its only annotation,
   * {@code org.opencontainers.image.created}, is the source date of the first built image (the
   * epoch if all are existing). Pulling the tag with a platform gives that platform's image.
   *
   * <pre>{@code
   * Artifact index = OciTarget.registry("registry.example.com/me/os:v1").writeIndex(List.of(
   *     PlatformImage.of("linux/amd64", amd64Build), PlatformImage.of("linux/arm64", arm64Build)), events);
   * }</pre>
   *
   * @return the index's artifact; its digest is the index's
   * @throws InvalidInputException if two images have the same platform (checked before anything
   *     is packed), or an existing entry is not a single-platform image
   * @throws IllegalArgumentException if {@code images} is empty, or an archive target is given an
   *     {@linkplain PlatformImage#existing existing} entry
   */
  public Artifact writeIndex(List<PlatformImage> images, EventListener events) throws IOException {
    if (images == null || images.isEmpty()) {
      throw new IllegalArgumentException("an index needs at least one image");
    }
    if (kind == Kind.ARCHIVE && images.stream().anyMatch(i -> i.existing().isPresent())) {
      throw new IllegalArgumentException("an archive target is written afresh and holds no existing image: " + images);
    }
    long start = System.nanoTime();
    String step = "oci-" + kind.name().toLowerCase(Locale.ROOT) + "-index";
    events.onEvent(new KairosEvent.StepStarted(step, description() + " (index of " + images.size() + ")"));
    Optional<BuiltImage> firstBuilt = images.stream().flatMap(i -> i.image().stream()).findFirst();
    SourceDate created = firstBuilt.map(BuiltImage::sourceDate).orElse(SourceDate.of(Instant.EPOCH));
    RegistryClient client = kind == Kind.REGISTRY ? client() : null;
    Artifact result;
    Path parent = scratchParent(firstBuilt);
    try (ScratchDirectory scratch = parent != null ? ScratchDirectory.in(parent, "oci") : null) {
      Path dir = kind == Kind.LAYOUT ? path : scratch != null ? scratch.dir() : null;
      // Every platform is known before anything is packed, so that a duplicate fails fast.
      List<Descriptor> existing = new ArrayList<>();
      List<Optional<BaseImage>> bases = new ArrayList<>();
      List<Platform> platforms = new ArrayList<>();
      for (PlatformImage i : images) {
        if (i.existing().isPresent()) {
          Descriptor d = client != null ? describeInRegistry(client, i.existing().get()) : describeInLayout(i.existing().get());
          existing.add(d);
          platforms.add(d.platform().orElseThrow());
        } else {
          BuiltImage image = i.image().orElseThrow();
          Optional<BaseImage> base = base(image, events);
          bases.add(base);
          platforms.add(i.platform().orElse(platform != null ? platform : platformOf(image, base)));
        }
      }
      ImageIndex.checkPlatforms(platforms);
      List<Descriptor> manifests = new ArrayList<>(existing);
      long size = existing.stream().mapToLong(Descriptor::size).sum();
      Iterator<Optional<BaseImage>> baseIt = bases.iterator();
      int n = 0;
      for (PlatformImage i : images) {
        Platform plat = platforms.get(n++);
        if (i.image().isEmpty()) {
          continue;
        }
        BlobStore store = new BlobStore(dir);
        Packed p = pack(i.image().get(), baseIt.next(), plat, store, events);
        if (client != null) {
          pushImage(client, p, store, events);
          checkPushed(client.pushManifest(p.img().manifestJson(), p.img().manifest().digest()), p.img().manifest().digest());
        } else {
          Layouts.copyBlobs(dir, p.img().layers(), p.baseBlobs());
        }
        manifests.add(p.img().manifest().withPlatform(plat));
        size += p.img().size();
      }
      byte[] index = ImageIndex.json(manifests, created);
      Descriptor indexDesc;
      if (client != null) {
        indexDesc = new Descriptor(MediaTypes.OCI_INDEX, BlobStore.digest(index), index.length);
        checkPushed(client.pushIndex(index, tag), indexDesc.digest());
      } else {
        indexDesc = new BlobStore(dir).put(index, MediaTypes.OCI_INDEX);
        Layouts.tag(dir, indexDesc, tag);
      }
      result = finish(dir, indexDesc.digest(), size + index.length);
    }
    events.onEvent(new KairosEvent.StepFinished(step, Duration.ofNanos(System.nanoTime() - start), false));
    return result;
  }

  /** An image packed into a blob store: its config, manifest and layers, and where its base layers are read from. */
  private record Packed(ImageAssembler.Image img, Optional<BaseImage> base, BlobSource baseBlobs) {}

  private Packed pack(BuiltImage image, Optional<BaseImage> base, Platform plat, BlobStore store, EventListener events)
      throws IOException {
    Files.createDirectories(store.root());
    ImageAssembler assembler = new ImageAssembler(image.sourceDate(), plat, labels, runtime,
        "kairos-factory " + layers.name().toLowerCase(Locale.ROOT));
    LayerPacker packer = new LayerPacker(image.sourceDate(), Compression.valueOf(compression.name()), events);
    // A squashed layer is a function of the root alone: a build whose step cache names the root's
    // content by its final key takes the layer an earlier build kept under that key.
    Optional<OciStepCache> kept = Optional.empty();
    Optional<String> key = Optional.empty();
    if (base.isEmpty() && image instanceof KairosBuild b && b.stepCacheStore().orElse(null) instanceof OciStepCache c
        && b.stepCache().isPresent()) {
      kept = Optional.of(c);
      key = Optional.of(b.stepCache().get().key());
    }
    String recipe = "squashed-layer " + compression.name() + " " + image.sourceDate().instant().getEpochSecond();
    Optional<LayerPacker.PackedLayer> reused = kept.isPresent()
        ? kept.get().packedLayer(key.get(), recipe, store, events) : Optional.empty();
    LayerPacker.PackedLayer layer = reused.isPresent() ? reused.get()
        : packer.pack(image.rootFs(), base.map(BaseImage::snapshot), store);
    if (kept.isPresent() && reused.isEmpty()) {
      kept.get().keepPackedLayer(key.get(), recipe, layer, store, events);
    }
    ImageAssembler.Image img = assembler.assemble(base, base.isPresent(), layer.descriptor(), layer.diffId(), store);
    return new Packed(img, base, baseBlobs(base));
  }

  private Optional<BaseImage> base(BuiltImage image, EventListener events) {
    if (layers != Layers.DIFF) {
      return Optional.empty();
    }
    Optional<BaseImage> base = BaseImages.of(image.rootFs());
    if (base.isEmpty()) {
      events.log(KairosEvent.Level.WARN, description() + ": the root was not materialised from an OCI base in this"
          + " process, so its whole content goes into one squashed layer");
    }
    return base;
  }

  /** The work directory, else beside a layout or archive, else beside the root of {@code image}; null if none is needed. */
  private Path scratchParent(Optional<BuiltImage> image) {
    if (workDirectory != null) {
      return workDirectory;
    }
    if (kind != Kind.REGISTRY) {
      return path.toAbsolutePath().getParent();
    }
    return image.map(i -> i.rootFs().root().toAbsolutePath().getParent()).orElse(null);
  }

  /**
   * The artifact of what {@code digest} names, once it is in the registry or in the layout
   * {@code dir}; an archive is written from {@code dir} here. {@code size} is the bytes of the
   * image written (manifests, configs, layers; of an existing entry of an index, its manifest),
   * which a pushed image reports; a layout reports its directory's size, an archive its file's.
   */
  private Artifact finish(Path dir, String digest, long size) throws IOException {
    return switch (kind) {
      // The layout's real size: every file in it (blobs of other tags included), as du counts it.
      case LAYOUT -> new Artifact(ArtifactKind.OCI_LAYOUT, path + ":" + tag, Artifact.directorySize(path), Optional.of(digest));
      case ARCHIVE -> {
        AtomicFile.write(path, tmp -> {
          try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            Layouts.archive(dir, out);
          }
        });
        yield new Artifact(ArtifactKind.OCI_ARCHIVE, path.toString(), Files.size(path), Optional.of(digest));
      }
      case REGISTRY -> new Artifact(ArtifactKind.OCI_IMAGE, reference.name() + ":" + tag + "@" + digest, size, Optional.of(digest));
    };
  }

  private Descriptor describeInRegistry(RegistryClient client, String key) throws IOException {
    RegistryClient.RawManifest m = client.manifest(key);
    Descriptor d = new Descriptor(m.mediaType() == null ? "" : m.mediaType(), m.digest(), m.json().length);
    return ImageIndex.describe(d, m.json(), client::blob, reference.name() + ":" + key);
  }

  private Descriptor describeInLayout(String key) throws IOException {
    Descriptor d = Layouts.find(path, key);
    BlobStore store = new BlobStore(path);
    byte[] json;
    try (InputStream in = store.open(d.digest())) {
      json = VerifyingInputStream.readAll(in, d, path.toString(), 4 << 20);
    }
    return ImageIndex.describe(d, json, b -> store.open(b.digest()), path + ":" + key);
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

  private RegistryClient client() throws IOException {
    boolean plain = insecure != null ? insecure : reference.isLoopback();
    return new RegistryClient(reference, plain, username, password, Pools.shared());
  }

  private void checkPushed(Optional<String> reported, String expected) throws KairosException {
    if (reported.isPresent() && !reported.get().equals(expected)) {
      throw new KairosException(reference + ": the registry stored a manifest as " + reported.get() + ", expected " + expected);
    }
  }

  /** Sends the image's blobs the repository lacks: mounted from the base's repository where possible, else uploaded. */
  private void pushImage(RegistryClient client, Packed p, BlobStore store, EventListener events) throws IOException {
    List<Descriptor> blobs = new ArrayList<>(p.img().layers());
    blobs.add(p.img().config());
    Optional<String> mountFrom = p.base().flatMap(BaseImage::sourceRepository)
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
      client.pushBlob(d, () -> local ? store.open(d.digest()) : p.baseBlobs().open(d));
      events.onEvent(new KairosEvent.Progress("push " + d.digest(), d.size(), d.size()));
    }
  }

  @Override
  public String toString() {
    return description();
  }
}
