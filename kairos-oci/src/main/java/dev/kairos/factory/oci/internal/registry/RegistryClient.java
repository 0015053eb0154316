package dev.kairos.factory.oci.internal.registry;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.FsEntry.ContentSource;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.api.RegistryUnreachableException;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * The registry calls the library makes, per the OCI distribution spec: get a manifest (raw bytes,
 * digest checked), open a blob, probe a blob, push a blob from a stream with its digest known,
 * mount a blob from another repository, and put a manifest's or an index's exact bytes (so that
 * its digest is ours). Authentication is {@link TokenAuth}'s: Basic, or Bearer tokens fetched from
 * the realm a 401 names, cached per scope. Spoken directly over the JDK's {@code java.net.http}
 * client, so that manifests and indexes go out byte for byte as packed and credentials reach the
 * token server as given; without credentials of its own a client takes those of the Podman/Docker
 * login files ({@link CredentialFiles}).
 */
public final class RegistryClient {
  /** A manifest or index as the registry served it. */
  public record RawManifest(String mediaType, String digest, byte[] json) {}

  private static final int MAX_MANIFEST = 4 << 20;
  private static final int MAX_REDIRECTS = 5;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  /** Where Docker Hub's API is served: {@code docker.io} itself only redirects. */
  private static final String DOCKER_HUB_API = "registry-1.docker.io";
  private static final String ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
      MediaTypes.DOCKER_LIST, MediaTypes.DOCKER_MANIFEST);

  private final ImageReference ref;
  private final String base;
  private final HttpClient http;
  private final TokenAuth auth;
  private final String pullScope;
  private final String pushScope;
  /** A login file with an entry for this registry that was not used because the registry is plain HTTP. */
  private final Optional<Path> unusedLogin;

  /**
   * @param insecure plain HTTP, for loopback registries or when asked
   * @param username null for anonymous access (or the Podman/Docker login files when not insecure)
   * @param pool the executor of the HTTP client's own tasks (daemon threads, so that a JVM can exit)
   * @throws KairosException if a login file is malformed
   */
  public RegistryClient(ImageReference ref, boolean insecure, String username, String password, ExecutorService pool)
      throws IOException {
    this.ref = ref;
    String host = ref.registry().equals(ImageReference.DOCKER_HUB) ? DOCKER_HUB_API : ref.registry();
    this.base = (insecure ? "http" : "https") + "://" + host + "/v2/" + ref.repository();
    this.http = HttpClient.newBuilder().executor(pool).connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    String user = username;
    String pass = password;
    if (user == null && !insecure) {
      Optional<CredentialFiles.Credential> c = CredentialFiles.lookup(ref, System.getenv());
      if (c.isPresent()) {
        user = c.get().username();
        pass = c.get().password();
      }
    }
    // Logins are never sent in clear text; remember one we held back, to explain a 401.
    this.unusedLogin = user == null && insecure ? CredentialFiles.fileWithLogin(ref, System.getenv()) : Optional.empty();
    this.auth = new TokenAuth(http, user, pass);
    this.pullScope = "repository:" + ref.repository() + ":pull";
    this.pushScope = "repository:" + ref.repository() + ":pull,push";
  }

  /** GETs the manifest or index named by {@code key} (a tag or a digest) and checks its digest if the key is one. */
  public RawManifest manifest(String key) throws IOException {
    return manifest(key, false).orElseThrow();
  }

  /** As {@link #manifest(String)}, but empty if the registry has no manifest under {@code key} (HTTP 404). */
  public Optional<RawManifest> findManifest(String key) throws IOException {
    return manifest(key, true);
  }

  private Optional<RawManifest> manifest(String key, boolean absentIsEmpty) throws IOException {
    String what = "get manifest " + key;
    HttpResponse<InputStream> r = send(get(uri("/manifests/" + key)).header("Accept", ACCEPT), pullScope, what);
    byte[] json;
    try (InputStream in = r.body()) {
      if (absentIsEmpty && r.statusCode() == 404) {
        return Optional.empty();
      }
      check(r, 200, what);
      json = in.readNBytes(MAX_MANIFEST + 1);
    }
    if (json.length > MAX_MANIFEST) {
      throw new KairosException(ref.name() + ": " + what + ": larger than " + MAX_MANIFEST + " bytes");
    }
    String digest = BlobStore.digest(json);
    if (key.startsWith("sha256:") && !key.equals(digest)) {
      throw new KairosException(ref.name() + "@" + key + ": the registry served a manifest whose digest is " + digest);
    }
    String type = r.headers().firstValue("Content-Type").map(t -> t.split(";")[0].strip()).orElse("");
    if (!MediaTypes.isIndex(type) && !MediaTypes.isManifest(type)) {
      type = Json.parse(json, ref.name() + ":" + key).path("mediaType").asString("");
    }
    return Optional.of(new RawManifest(type, digest, json));
  }

  /** Opens the blob {@code d} of this repository (following a redirect to where it is stored). */
  public InputStream blob(Descriptor d) throws IOException {
    String what = "fetch blob " + d.digest();
    HttpResponse<InputStream> r = send(get(uri("/blobs/" + d.digest())), pullScope, what);
    try {
      check(r, 200, what);
    } catch (IOException e) {
      r.body().close();
      throw e;
    }
    return r.body();
  }

  /** Whether this repository has the blob. */
  public boolean hasBlob(Descriptor d) throws IOException {
    String what = "probe blob " + d.digest();
    HttpResponse<InputStream> r = send(request(uri("/blobs/" + d.digest())).method("HEAD",
        HttpRequest.BodyPublishers.noBody()), pullScope, what);
    try (InputStream in = r.body()) {
      if (r.statusCode() == 404) {
        return false;
      }
      check(r, 200, what);
      return true;
    }
  }

  /** Tries to mount {@code d} from {@code fromRepository} of the same registry; false if the registry declined. */
  public boolean mount(Descriptor d, String fromRepository) throws IOException {
    String what = "mount blob " + d.digest() + " from " + fromRepository;
    HttpResponse<InputStream> r;
    try {
      r = send(request(uri("/blobs/uploads/?mount=" + d.digest() + "&from="
        + URLEncoder.encode(fromRepository, StandardCharsets.UTF_8))).POST(HttpRequest.BodyPublishers.noBody()),
        pushScope + " repository:" + fromRepository + ":pull", what);
    } catch (KairosException e) {
      return false; // not allowed to read the other repository, say: upload instead
    }
    try (InputStream in = r.body()) {
      if (r.statusCode() == 201) {
        return true;
      }
    }
    // 202: the registry opened an upload instead; close it again.
    Optional<String> location = r.headers().firstValue("Location");
    if (r.statusCode() == 202 && location.isPresent()) {
      send(request(resolve(location.get())).DELETE(), pushScope, "cancel upload").body().close();
    }
    return false;
  }

  /** Uploads a blob whose digest and size are known, streaming it from {@code open} (POST, then one PUT). */
  public void pushBlob(Descriptor d, ContentSource open) throws IOException {
    String what = "push blob " + d.digest();
    HttpResponse<InputStream> start = send(request(uri("/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()),
        pushScope, what);
    start.body().close();
    check(start, 202, what);
    URI location = resolve(start.headers().firstValue("Location")
        .orElseThrow(() -> new KairosException(ref.name() + ": " + what + ": the registry gave no upload location")));
    String sep = location.getRawQuery() == null ? "?" : "&";
    URI put = URI.create(location + sep + "digest=" + URLEncoder.encode(d.digest(), StandardCharsets.UTF_8));
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
      try {
        return open.open();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }), d.size());
    HttpResponse<InputStream> r;
    try {
      r = send(request(put).timeout(Duration.ofHours(1)).header("Content-Type", "application/octet-stream").PUT(body),
          pushScope, what);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    r.body().close();
    check(r, 201, what);
  }

  /** PUTs image manifest bytes as they are under {@code key} (a tag or their digest); returns the digest the registry reports. */
  public Optional<String> pushManifest(byte[] json, String key) throws IOException {
    return put(json, MediaTypes.OCI_MANIFEST, key);
  }

  /** PUTs image index bytes as they are under {@code tag}; returns the digest the registry reports. */
  public Optional<String> pushIndex(byte[] json, String tag) throws IOException {
    return put(json, MediaTypes.OCI_INDEX, tag);
  }

  /**
   * PUTs a manifest that names a {@code subject} under {@code key}; returns whether the registry
   * answered with {@code OCI-Subject}, i.e. indexed it for its referrers API itself. Without that
   * header the client must keep the referrers tag ({@code sha256-<hex>}) up to date.
   */
  public boolean pushReferrer(byte[] json, String key) throws IOException {
    return putResponse(json, MediaTypes.OCI_MANIFEST, key).headers().firstValue("OCI-Subject").isPresent();
  }

  private Optional<String> put(byte[] json, String mediaType, String key) throws IOException {
    return putResponse(json, mediaType, key).headers().firstValue("Docker-Content-Digest");
  }

  private HttpResponse<InputStream> putResponse(byte[] json, String mediaType, String key) throws IOException {
    String what = "push manifest " + key;
    HttpResponse<InputStream> r = send(request(uri("/manifests/" + key)).header("Content-Type", mediaType)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(json)), pushScope, what);
    r.body().close();
    check(r, 201, what);
    return r;
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private URI resolve(String location) {
    return URI.create(base).resolve(location);
  }

  private static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2));
  }

  private static HttpRequest.Builder get(URI uri) {
    return request(uri).GET();
  }

  /**
   * Sends the request with the credentials or the cached token for {@code scope}; on a 401
   * answers its challenge once and retries; follows redirects of GET and HEAD (dropping the
   * credentials when the redirect leaves the registry, as to a storage backend).
   */
  private HttpResponse<InputStream> send(HttpRequest.Builder builder, String scope, String what) throws IOException {
    HttpRequest template = builder.build();
    Optional<String> header = auth.preemptive(scope);
    URI uri = template.uri();
    boolean sameOrigin = true;
    for (int attempt = 0, redirects = 0; ; ) {
      HttpRequest.Builder b = HttpRequest.newBuilder(template, (k, v) -> !k.equalsIgnoreCase("Authorization")).uri(uri);
      if (sameOrigin) {
        header.ifPresent(h -> b.header("Authorization", h));
      }
      HttpResponse<InputStream> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException(ref.name() + ": " + what + ": interrupted");
      } catch (IOException e) {
        Optional<String> unreachable = connectFailure(e, uri);
        if (unreachable.isPresent()) {
          throw new RegistryUnreachableException(ref.toString(), hostPort(uri), unreachable.get(), e);
        }
        throw new KairosException(ref.name() + ": " + what + " failed: " + e, e);
      }
      int status = r.statusCode();
      if (status == 401 && sameOrigin && attempt++ == 0) {
        Optional<String> challenge = r.headers().firstValue("WWW-Authenticate");
        Optional<String> retry = challenge.isPresent() ? auth.answer(challenge.get(), scope, ref.name() + ": " + what)
            : Optional.empty();
        if (retry.isPresent() && !retry.equals(header)) {
          r.body().close();
          header = retry;
          continue;
        }
      }
      boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
      String method = template.method();
      if (redirect && (method.equals("GET") || method.equals("HEAD")) && r.headers().firstValue("Location").isPresent()) {
        if (++redirects > MAX_REDIRECTS) {
          throw new KairosException(ref.name() + ": " + what + ": more than " + MAX_REDIRECTS + " redirects");
        }
        r.body().close();
        URI next = uri.resolve(r.headers().firstValue("Location").get());
        sameOrigin = sameOrigin && Objects.equals(next.getScheme(), uri.getScheme())
            && Objects.equals(next.getAuthority(), uri.getAuthority());
        uri = next;
        continue;
      }
      return r;
    }
  }

  /** Why no connection was made, in a few words; empty if the error came after connecting. */
  private static Optional<String> connectFailure(IOException e, URI uri) {
    if (e instanceof HttpConnectTimeoutException) {
      return Optional.of("timed out after " + CONNECT_TIMEOUT.toSeconds() + " s");
    }
    if (!(e instanceof ConnectException)) {
      return Optional.empty();
    }
    Throwable c = e;
    for (int depth = 0; c != null && depth < 8; depth++, c = c.getCause()) { // a cause chain is short
      if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
        return Optional.of("unknown host");
      }
    }
    // The JDK client's asynchronous connect loses the system's reason (refused, no route, ...): ask once more, blocking.
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(uri.getHost(), port(uri)), (int) PROBE_TIMEOUT.toMillis());
      return Optional.of("connection failed, though a second attempt connected");
    } catch (SocketTimeoutException t) {
      return Optional.of("timed out after " + PROBE_TIMEOUT.toSeconds() + " s");
    } catch (UnknownHostException u) {
      return Optional.of("unknown host");
    } catch (IOException probeFailed) {
      String words = Objects.requireNonNullElse(probeFailed.getMessage(), probeFailed.getClass().getSimpleName());
      return Optional.of(words.toLowerCase(Locale.ROOT));
    }
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
  }

  private static String hostPort(URI uri) {
    return uri.getHost() + ":" + port(uri);
  }

  /** Fails with the registry's own error text unless the response has {@code expected} status. */
  private void check(HttpResponse<InputStream> r, int expected, String what) throws IOException {
    int status = r.statusCode();
    if (status == expected || status / 100 == 2 && expected / 100 == 2) {
      return;
    }
    String body;
    try (InputStream in = r.body()) {
      body = new String(in.readNBytes(400), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      body = "";
    }
    String hint = switch (status) {
      case 401 -> ": " + auth.describe() + " not accepted" + unusedLogin.map(f -> " (the login for " + ref.registry()
          + " in " + f + " was not sent: this registry is reached over plain HTTP, and logins from login files go"
          + " only over HTTPS; give the credentials explicitly)").orElse("");
      case 403 -> ": denied";
      case 404 -> ": not found";
      default -> "";
    };
    throw new KairosException(ref.name() + ": " + what + " failed (HTTP " + status + ")" + hint
        + (body.isEmpty() ? "" : ": " + body));
  }
}
