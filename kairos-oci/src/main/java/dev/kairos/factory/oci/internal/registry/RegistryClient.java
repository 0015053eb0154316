package dev.kairos.factory.oci.internal.registry;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import land.oras.ContainerRef;
import land.oras.Manifest;
import land.oras.Registry;
import land.oras.exception.OrasException;

/**
 * The registry calls the library makes, over oras-java: get a manifest (raw bytes, digest
 * checked), open a blob, probe a blob, push a blob from a stream with its digest known, mount a
 * blob from another repository, and put a manifest's exact bytes (so that its digest is ours). The
 * executor is the caller's: oras would otherwise start non-daemon threads nobody stops.
 */
public final class RegistryClient {
  /** A manifest or index as the registry served it. */
  public record RawManifest(String mediaType, String digest, byte[] json) {}

  private final Registry registry;
  private final ImageReference ref;

  /**
   * @param insecure plain HTTP (and no TLS verification), for loopback registries or when asked
   * @param username null for anonymous access (or the Docker/Podman credential store when not insecure)
   */
  public RegistryClient(ImageReference ref, boolean insecure, String username, String password, ExecutorService pool) {
    this.ref = ref;
    Registry.Builder b = Registry.builder();
    if (insecure) {
      b = username != null ? b.insecure(ref.registry(), username, password) : b.insecure();
    } else {
      b = username != null ? b.defaults(username, password) : b.defaults();
    }
    this.registry = b.withExecutorService(pool).build();
  }

  private ContainerRef containerRef(String manifestKey) {
    String base = ref.name();
    return ContainerRef.parse(manifestKey.startsWith("sha256:") ? base + "@" + manifestKey : base + ":" + manifestKey);
  }

  /** GETs the manifest or index named by {@code key} (a tag or a digest) and checks its digest if the key is one. */
  public RawManifest manifest(String key) throws IOException {
    try {
      land.oras.Descriptor d = registry.getDescriptor(containerRef(key));
      byte[] json = d.getJson().getBytes(StandardCharsets.UTF_8);
      String digest = "sha256:" + HexFormat.of().formatHex(BlobStore.sha256().digest(json));
      if (key.startsWith("sha256:") && !key.equals(digest)) {
        throw new KairosException(ref.name() + "@" + key + ": the registry served a manifest whose digest is " + digest);
      }
      return new RawManifest(d.getMediaType(), digest, json);
    } catch (OrasException e) {
      throw failure("get manifest " + key, e);
    }
  }

  /** Opens the blob {@code d} of this repository. */
  public InputStream blob(Descriptor d) throws IOException {
    try {
      return registry.fetchBlob(containerRef(d.digest()));
    } catch (OrasException e) {
      throw failure("fetch blob " + d.digest(), e);
    }
  }

  /** Whether this repository has the blob. */
  public boolean hasBlob(Descriptor d) throws IOException {
    try {
      registry.fetchBlobDescriptor(containerRef(d.digest()));
      return true;
    } catch (OrasException e) {
      if (e.getStatusCode() != null && e.getStatusCode() == 404) {
        return false;
      }
      throw failure("probe blob " + d.digest(), e);
    }
  }

  /** Tries to mount {@code d} from {@code fromRepository} of the same registry; false if the registry declined. */
  public boolean mount(Descriptor d, String fromRepository) {
    try {
      return registry.mountBlob(ContainerRef.parse(ref.registry() + "/" + fromRepository + "@" + d.digest()),
          containerRef(d.digest()));
    } catch (OrasException e) {
      return false;
    }
  }

  /** Uploads a blob whose digest and size are known, streaming it from {@code open}. */
  public void pushBlob(Descriptor d, BlobOpener open) throws IOException {
    try {
      registry.pushBlob(containerRef(d.digest()), d.size(), () -> {
        try {
          return open.open();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, Map.of());
    } catch (OrasException e) {
      throw failure("push blob " + d.digest(), e);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** PUTs the manifest bytes as they are under {@code tag} and returns the digest the registry reports. */
  public Optional<String> pushManifest(byte[] json, String tag) throws IOException {
    try {
      Manifest m = registry.pushManifest(containerRef(tag), Manifest.fromJson(new String(json, StandardCharsets.UTF_8)));
      return Optional.ofNullable(m.getDigest());
    } catch (OrasException e) {
      throw failure("push manifest " + tag, e);
    }
  }

  /** Something that opens a stream of a blob's bytes, again for each attempt. */
  @FunctionalInterface
  public interface BlobOpener {
    InputStream open() throws IOException;
  }

  private KairosException failure(String what, OrasException e) {
    Integer status = e.getStatusCode();
    return new KairosException(ref.name() + ": " + what + " failed"
        + (status != null ? " (HTTP " + status + ")" : "") + ": " + e.getMessage(), e);
  }
}
