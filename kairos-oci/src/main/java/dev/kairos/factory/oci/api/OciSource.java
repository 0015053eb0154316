package dev.kairos.factory.oci.api;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.oci.internal.image.BaseImage;
import dev.kairos.factory.oci.internal.image.BaseImages;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.image.BlobSource;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Platform;
import dev.kairos.factory.oci.internal.pull.Archives;
import dev.kairos.factory.oci.internal.pull.Origin;
import dev.kairos.factory.oci.internal.pull.Puller;
import dev.kairos.factory.oci.internal.pull.RegistryOrigin;
import dev.kairos.factory.oci.internal.pull.StoreOrigin;
import dev.kairos.factory.oci.internal.registry.RegistryClient;
import dev.kairos.factory.oci.internal.util.Pools;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * A base image from a registry, an OCI image layout, an OCI archive or a {@code docker save}
 * archive, unpacked into a root file system without any daemon. Immutable; every {@code with…}
 * method returns a changed copy.
 *
 * <pre>{@code
 * ImageSource base = OciSource.pull("docker.io/library/ubuntu:24.04")
 *     .withPlatform("linux/arm64/v8")
 *     .withCacheDirectory(Path.of("/var/cache/kairos/blobs"));
 * RootFs root = base.materialize(Path.of("work/rootfs"), System.out::println);
 *
 * OciSource.layout(Path.of("out/layout"), "v1").materialize(dir, events);
 * OciSource.archive(Path.of("image.oci.tar")).materialize(dir, events);
 * OciSource.dockerArchive(Path.of("image.docker.tar")).materialize(dir, events);
 * }</pre>
 *
 * <p>An index is resolved to the wanted platform (by default this machine's). Every blob's digest
 * and size are verified; on any failure the target directory is emptied again, and a mismatching
 * blob is not kept. Registry layers are downloaded several at a time into a content-addressed
 * cache (with {@link #withCacheDirectory}, kept across pulls, so a second pull of the same image
 * transfers no layer; without it, a scratch directory beside the target, removed afterwards).
 * Layers are unpacked in order with whiteouts and opaque directories applied, and nothing lands
 * outside the root whatever the layers hold. A registry on {@code localhost} or {@code 127.0.0.1}
 * is spoken to over plain HTTP; anywhere else over TLS unless {@link #withInsecure(boolean)}.
 * Credentials come from {@link #withCredentials}, or else from what {@code podman login} and
 * {@code docker login} stored: {@code $REGISTRY_AUTH_FILE}, {@code containers/auth.json},
 * {@code ~/.docker/config.json}, with Docker's credential helpers ({@code credHelpers},
 * {@code credsStore}) run as Docker runs them.
 */
public final class OciSource implements ImageSource {
  private enum Kind {
    REGISTRY,
    LAYOUT,
    OCI_ARCHIVE,
    DOCKER_ARCHIVE
  }

  private final Kind kind;
  private final ImageReference reference;
  private final Path path;
  private final String tag;
  private final Platform platform;
  private final String username;
  private final String password;
  private final Boolean insecure;
  private final Path cacheDirectory;
  private final int parallelism;

  private OciSource(Kind kind, ImageReference reference, Path path, String tag, Platform platform, String username,
      String password, Boolean insecure, Path cacheDirectory, int parallelism) {
    this.kind = kind;
    this.reference = reference;
    this.path = path;
    this.tag = tag;
    this.platform = platform;
    this.username = username;
    this.password = password;
    this.insecure = insecure;
    this.cacheDirectory = cacheDirectory;
    this.parallelism = parallelism;
  }

  /**
   * An image in a registry, such as {@code ubuntu:24.04} (normalised as Docker does) or
   * {@code localhost:5000/me/base@sha256:…}.
   *
   * @throws InvalidInputException if the reference is malformed
   */
  public static OciSource pull(String reference) throws InvalidInputException {
    return new OciSource(Kind.REGISTRY, ImageReference.parse(reference), null, null, Platform.host(), null, null, null,
        null, 3);
  }

  /** The image tagged {@code tag} in the OCI image layout at {@code directory}; a null tag takes the layout's only image. */
  public static OciSource layout(Path directory, String tag) {
    return new OciSource(Kind.LAYOUT, null, Objects.requireNonNull(directory, "directory"), tag, Platform.host(), null,
        null, null, null, 1);
  }

  /** The only image of an OCI archive (see {@link #withTag} to pick one of several). */
  public static OciSource archive(Path file) {
    return new OciSource(Kind.OCI_ARCHIVE, null, Objects.requireNonNull(file, "file"), null, Platform.host(), null, null,
        null, null, 1);
  }

  /** The first image of a {@code docker save} archive (see {@link #withTag} to pick one by its RepoTag). */
  public static OciSource dockerArchive(Path file) {
    return new OciSource(Kind.DOCKER_ARCHIVE, null, Objects.requireNonNull(file, "file"), null, Platform.host(), null,
        null, null, null, 1);
  }

  /** Picks the image by tag in a layout or archive. */
  public OciSource withTag(String t) {
    if (kind == Kind.REGISTRY) {
      throw new IllegalArgumentException("a registry source takes its tag from its reference");
    }
    return new OciSource(kind, reference, path, Objects.requireNonNull(t, "tag"), platform, username, password, insecure,
        cacheDirectory, parallelism);
  }

  /**
   * The platform to take from a multi-platform image: {@code os/arch[/variant]}, such as
   * {@code linux/arm64/v8}. By default this machine's.
   */
  public OciSource withPlatform(String osArchVariant) throws InvalidInputException {
    return new OciSource(kind, reference, path, tag, Platform.parse(osArchVariant), username, password, insecure,
        cacheDirectory, parallelism);
  }

  /** Basic credentials (a bearer token is fetched with them when the registry asks for one). */
  public OciSource withCredentials(String user, String pass) {
    if (user == null || user.isEmpty() || pass == null) {
      throw new IllegalArgumentException("credentials need a user name and a password");
    }
    return new OciSource(kind, reference, path, tag, platform, user, pass, insecure, cacheDirectory, parallelism);
  }

  /** Plain HTTP without TLS; by default only for loopback registries. */
  public OciSource withInsecure(boolean plainHttp) {
    return new OciSource(kind, reference, path, tag, platform, username, password, plainHttp, cacheDirectory, parallelism);
  }

  /** A content-addressed blob cache kept across pulls (an OCI layout's {@code blobs/} structure). */
  public OciSource withCacheDirectory(Path dir) {
    return new OciSource(kind, reference, path, tag, platform, username, password, insecure,
        Objects.requireNonNull(dir, "dir"), parallelism);
  }

  /** How many layers are downloaded at once (1 to 16; default 3). */
  public OciSource withParallelism(int downloads) {
    if (downloads < 1 || downloads > 16) {
      throw new IllegalArgumentException("parallelism must be within 1..16, got " + downloads);
    }
    return new OciSource(kind, reference, path, tag, platform, username, password, insecure, cacheDirectory, downloads);
  }

  @Override
  public String description() {
    return switch (kind) {
      case REGISTRY -> reference.toString();
      case LAYOUT -> "oci:" + path + (tag != null ? ":" + tag : "");
      case OCI_ARCHIVE -> "oci-archive:" + path;
      case DOCKER_ARCHIVE -> "docker-archive:" + path;
    };
  }

  @Override
  public RootFs materialize(Path directory, EventListener events) throws IOException {
    return materialize(directory, events, null);
  }

  /**
   * The digest of the manifest {@code root} was made from (for a lock): {@code digest sha256:...},
   * for a registry or layout base; nothing for an archive, or a root this source did not make.
   */
  @Override
  public Map<String, String> lockEntries(RootFs root) {
    if (kind != Kind.REGISTRY && kind != Kind.LAYOUT) {
      return Map.of();
    }
    return BaseImages.of(root).flatMap(BaseImage::manifestDigest).map(d -> Map.of("digest", d)).orElse(Map.of());
  }

  /**
   * For a lock recorded from this registry or layout base with its manifest digest: this base
   * pulled by that digest, whatever the tag names now. A digest the registry or layout no longer
   * holds fails naming the reference and the digest.
   */
  @Override
  public ImageSource replaying(Lock lock, Optional<String> lockMirror) {
    String digest = lock.base().get("digest");
    if (digest == null || (kind != Kind.REGISTRY && kind != Kind.LAYOUT)
        || !description().equals(lock.base().get("source"))) {
      return this;
    }
    OciSource self = this;
    return new ImageSource() {
      @Override
      public String description() {
        return self.description() + " (locked to " + digest + ")";
      }

      @Override
      public RootFs materialize(Path directory, EventListener events) throws IOException {
        try {
          return self.materialize(directory, events, digest);
        } catch (DigestMismatchException e) {
          throw e;
        } catch (KairosException e) {
          throw new KairosException("the locked base " + self.description() + " pinned to " + digest
              + " cannot be read: " + e.getMessage(), e);
        }
      }

      @Override
      public Map<String, String> lockEntries(RootFs root) {
        return self.lockEntries(root);
      }

      @Override
      public Optional<Instant> created(RootFs root) {
        return self.created(root);
      }
    };
  }

  /** Materialises this image, or with {@code pinned} the manifest of that digest in its registry or layout. */
  private RootFs materialize(Path directory, EventListener events, String pinned) throws IOException {
    long start = System.nanoTime();
    events.onEvent(new KairosEvent.StepStarted("oci-pull", description()));
    Files.createDirectories(directory);
    try (DirectoryStream<Path> s = Files.newDirectoryStream(directory)) {
      if (s.iterator().hasNext()) {
        throw new KairosException(directory + ": the directory to materialise " + description() + " into is not empty");
      }
    }
    RootFs root = RootFs.at(directory);
    Puller puller = new Puller(platform, parallelism, events);
    try (ScratchDirectory scratch = ScratchDirectory.in(directory.toAbsolutePath().getParent(), "pull")) {
      BaseImage base = switch (kind) {
        case REGISTRY -> {
          RegistryClient client = client();
          Origin origin = new RegistryOrigin(client, pinned == null ? reference : reference.withDigest(pinned));
          BlobStore store = new BlobStore(cacheDirectory != null ? cacheDirectory : scratch.dir());
          BlobSource reread = cacheDirectory != null
              ? d -> store.has(d.digest(), d.size()) ? store.open(d.digest()) : client.blob(d)
              : client::blob;
          yield puller.unpack(origin, puller.resolve(origin, description()), root, store, reread, description());
        }
        case LAYOUT -> {
          StoreOrigin origin = pinned == null ? StoreOrigin.layout(path, tag) : StoreOrigin.layoutManifest(path, pinned);
          yield puller.unpack(origin, puller.resolve(origin, description()), root, origin.store(),
              d -> origin.store().open(d.digest()), description());
        }
        case OCI_ARCHIVE -> {
          StoreOrigin origin = Archives.ociArchive(path, scratch.dir(), tag);
          yield puller.unpack(origin, puller.resolve(origin, description()), root, origin.store(),
              Archives.rereader(path, Map.of()), description());
        }
        case DOCKER_ARCHIVE -> {
          Archives.DockerArchive a = Archives.dockerArchive(path, scratch.dir(), tag);
          yield puller.unpack(a.origin(), puller.resolve(a.origin(), description()), root, a.origin().store(),
              Archives.rereader(path, a.memberNames()), description());
        }
      };
      BaseImages.register(root, base);
    } catch (IOException | RuntimeException e) {
      emptyDirectory(directory);
      throw e;
    }
    events.onEvent(new KairosEvent.StepFinished("oci-pull", Duration.ofNanos(System.nanoTime() - start), false));
    return root;
  }

  /** The {@code created} time of the config of the image {@code root} was materialised from, if it has one. */
  @Override
  public Optional<Instant> created(RootFs root) {
    return BaseImages.of(root).map(b -> b.config().get("created")).filter(n -> n != null && n.isString())
        .flatMap(n -> parseTime(n.asString()));
  }

  /**
   * The config (JSON text, as the image holds it) of the image {@code root} was materialised from,
   * if it was materialised by an {@code OciSource}; see {@link ImageConfigDiff} to compare two.
   */
  public static Optional<String> config(RootFs root) {
    return BaseImages.of(root).map(b -> new String(Json.bytes(b.config()), java.nio.charset.StandardCharsets.UTF_8));
  }

  private static Optional<Instant> parseTime(String rfc3339) {
    try {
      return Optional.of(OffsetDateTime.parse(rfc3339).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty(); // a malformed date is no date: the build takes one from the package database
    }
  }

  private RegistryClient client() throws IOException {
    boolean plain = insecure != null ? insecure : reference.isLoopback();
    return new RegistryClient(reference, plain, username, password, Pools.shared());
  }

  private static void emptyDirectory(Path directory) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(directory)) {
      for (Path p : s) {
        ScratchDirectory.deleteTree(p);
      }
    }
  }

  @Override
  public String toString() {
    return description();
  }
}
