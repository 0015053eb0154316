package dev.kairos.factory.oci.internal.registry;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import land.oras.ContainerRef;
import land.oras.Manifest;
import land.oras.Registry;
import land.oras.auth.AuthStore;
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
  private final boolean insecure;
  private final String username;
  private final String password;
  private HttpClient http;
  private TokenAuth tokenAuth;

  /**
   * @param insecure plain HTTP (and no TLS verification), for loopback registries or when asked
   * @param username null for anonymous access (or the Docker/Podman credential store when not insecure)
   */
  public RegistryClient(ImageReference ref, boolean insecure, String username, String password, ExecutorService pool) {
    this.ref = ref;
    this.insecure = insecure;
    this.username = username;
    this.password = password;
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

  /**
   * PUTs an image index's bytes as they are under {@code tag} and returns the digest the registry
   * reports. Sent directly rather than through oras, which re-serialises an index (changing its
   * digest); authenticated as the spec says (Basic, or a Bearer token fetched from the realm the
   * registry names).
   */
  public Optional<String> pushIndex(byte[] json, String tag) throws IOException {
    ContainerRef cref = containerRef(tag);
    URI uri = URI.create((insecure ? "http" : "https") + "://" + cref.getApiRegistry() + "/v2/" + ref.repository()
        + "/manifests/" + tag);
    String what = ref.name() + ": push index " + tag;
    TokenAuth auth = tokenAuth();
    String scope = "repository:" + ref.repository() + ":pull,push";
    Optional<String> header = auth.preemptive(scope);
    for (int attempt = 0; ; attempt++) {
      HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2))
          .header("Content-Type", MediaTypes.OCI_INDEX).PUT(HttpRequest.BodyPublishers.ofByteArray(json));
      header.ifPresent(h -> rb.header("Authorization", h));
      HttpResponse<String> r;
      try {
        r = http().send(rb.build(), HttpResponse.BodyHandlers.ofString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException(what + ": interrupted");
      }
      if (r.statusCode() == 401 && attempt == 0) {
        Optional<String> challenge = r.headers().firstValue("WWW-Authenticate");
        Optional<String> retry = challenge.isPresent() ? auth.answer(challenge.get(), scope, what) : Optional.empty();
        if (retry.isPresent() && !retry.equals(header)) {
          header = retry;
          continue;
        }
      }
      if (r.statusCode() / 100 != 2) {
        String body = r.body() == null ? "" : r.body().strip();
        throw new KairosException(what + " failed (HTTP " + r.statusCode() + ")"
            + (r.statusCode() == 401 ? ": the registry refused " + (username == null ? "anonymous access" : "the credentials of '" + username + "'") : "")
            + (body.isEmpty() ? "" : ": " + (body.length() > 300 ? body.substring(0, 300) + "…" : body)));
      }
      return r.headers().firstValue("Docker-Content-Digest");
    }
  }

  private synchronized TokenAuth tokenAuth() {
    if (tokenAuth == null) {
      String user = username;
      String pass = password;
      if (user == null && !insecure) {
        // As oras does for the other calls: the Docker/Podman credential store.
        try {
          AuthStore.Credential c = AuthStore.newStore().get(containerRef("latest"));
          if (c != null) {
            user = c.username();
            pass = c.password();
          }
        } catch (OrasException | UncheckedIOException noStore) {
          // anonymous then
        }
      }
      tokenAuth = new TokenAuth(http(), user, pass);
    }
    return tokenAuth;
  }

  private synchronized HttpClient http() {
    if (http == null) {
      http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
          .followRedirects(HttpClient.Redirect.NEVER).build();
    }
    return http;
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
