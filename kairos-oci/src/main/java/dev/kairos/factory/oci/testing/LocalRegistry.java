package dev.kairos.factory.oci.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real OCI registry for integration tests: Debian's {@code docker-registry} (CNCF distribution),
 * started on 127.0.0.1 on a free port with its own configuration and storage directory, optionally
 * with htpasswd basic authentication or with bearer tokens from a {@link TokenServer}, and stopped
 * by its pid on {@link #close()}.
 *
 * <pre>{@code
 * try (LocalRegistry registry = LocalRegistry.start(tempDir)) {
 *   String ref = registry.address() + "/kairos/test:v1";      // "127.0.0.1:40123/kairos/test:v1"
 * }
 * }</pre>
 *
 * <p>Published in the kairos-oci jar for the integration tests of projects built on it (as
 * Testcontainers publishes its containers): needs {@code docker-registry} on the machine
 * ({@code apt-get install docker-registry}; {@link #available()} says whether it is installed, for
 * {@code Assumptions}). {@link #startWithBasicAuth} hashes the password with BouncyCastle's bcrypt
 * (a dependency of kairos-oci, for its signatures). {@link #startWithTokenAuth} needs {@code openssl}.
 *
 * <p>Tests that run skopeo against it should run with {@code CONTAINERS_REGISTRIES_CONF}
 * pointing to a file of their own (kairos-oci's {@code src/test/resources/registries.conf}), so
 * that the machine's registries.conf cannot override plain HTTP.
 */
public final class LocalRegistry implements AutoCloseable {
  /** Where Debian installs the registry. */
  public static final Path BINARY = Path.of("/usr/bin/docker-registry");
  private static final Duration STARTUP = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final Path storage;
  private final Path log;
  private final TokenServer tokenServer;

  private LocalRegistry(Process process, int port, Path storage, Path log, TokenServer tokenServer) {
    this.process = process;
    this.port = port;
    this.storage = storage;
    this.log = log;
    this.tokenServer = tokenServer;
  }

  /** Whether {@code docker-registry} is installed. */
  public static boolean available() {
    return Files.isExecutable(BINARY);
  }

  /** Starts an anonymous registry whose files live under {@code workDir} (created if missing). */
  public static LocalRegistry start(Path workDir) throws IOException {
    return start(workDir, null, null, null);
  }

  /** Starts a registry that requires basic authentication as {@code user}/{@code password}. */
  public static LocalRegistry startWithBasicAuth(Path workDir, String user, String password) throws IOException {
    return start(workDir, user, password, null);
  }

  /**
   * Starts a registry that requires bearer tokens, and a {@link TokenServer} (stopped with the
   * registry) that issues them to {@code user}/{@code password} for any repository, and tokens
   * that grant nothing to anonymous clients.
   */
  public static LocalRegistry startWithTokenAuth(Path workDir, String user, String password) throws IOException {
    TokenServer tokens = TokenServer.start(workDir.resolve("token"), user, password);
    try {
      return start(workDir, null, null, tokens);
    } catch (IOException | RuntimeException e) {
      tokens.close();
      throw e;
    }
  }

  private static LocalRegistry start(Path workDir, String user, String password, TokenServer tokens)
      throws IOException {
    Files.createDirectories(workDir);
    Path storage = Files.createDirectories(workDir.resolve("storage"));
    int port = freePort();
    StringBuilder config = new StringBuilder()
        .append("version: 0.1\n")
        .append("log:\n  level: warn\n")
        .append("storage:\n  filesystem:\n    rootdirectory: ").append(storage.toAbsolutePath()).append('\n')
        .append("  delete:\n    enabled: true\n")
        .append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
    if (user != null) {
      Path htpasswd = workDir.resolve("htpasswd");
      byte[] salt = new byte[16];
      new SecureRandom().nextBytes(salt);
      Files.writeString(htpasswd, user + ":" + OpenBSDBCrypt.generate("2a", password.toCharArray(), salt, 5) + "\n");
      config.append("auth:\n  htpasswd:\n    realm: kairos-test\n    path: ").append(htpasswd.toAbsolutePath()).append('\n');
    }
    if (tokens != null) {
      config.append("auth:\n  token:\n")
          .append("    realm: ").append(tokens.realm()).append('\n')
          .append("    service: ").append(TokenServer.SERVICE).append('\n')
          .append("    issuer: ").append(TokenServer.ISSUER).append('\n')
          .append("    rootcertbundle: ").append(tokens.rootCertBundle().toAbsolutePath()).append('\n');
    }
    Path configFile = workDir.resolve("config.yml");
    Files.writeString(configFile, config.toString());
    Path log = workDir.resolve("registry.log");
    ProcessBuilder pb = new ProcessBuilder(BINARY.toString(), "serve", configFile.toAbsolutePath().toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("OTEL_TRACES_EXPORTER", "none");
    Process p = pb.start();
    LocalRegistry r = new LocalRegistry(p, port, storage, log, tokens);
    try {
      r.awaitReady();
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("docker-registry exited with " + process.exitValue() + ": " + logTail());
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://" + address() + "/v2/").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(1000);
        int code = c.getResponseCode();
        c.disconnect();
        if (code == 200 || code == 401) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while waiting for the registry");
      }
    }
    throw new IOException("docker-registry did not answer /v2/ within " + STARTUP.toSeconds() + " s: " + logTail());
  }

  /** {@code 127.0.0.1:<port>}, the registry part of references to this registry. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** The registry's storage directory (to corrupt a blob in a test, for instance). */
  public Path storage() {
    return storage;
  }

  /** Where a blob of this registry is stored on disk. */
  public Path blobData(String digest) {
    String hex = digest.substring(digest.indexOf(':') + 1);
    return storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
  }

  /** The token server of a registry started {@linkplain #startWithTokenAuth with token auth}. */
  public TokenServer tokenServer() {
    if (tokenServer == null) {
      throw new IllegalStateException("this registry was not started with token authentication");
    }
    return tokenServer;
  }

  /** The process id of the registry. */
  public long pid() {
    return process.pid();
  }

  /** The last lines the registry logged. */
  public String logTail() {
    try {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Stops the registry by its pid: SIGTERM, then SIGKILL after five seconds; then its token server, if any. */
  @Override
  public void close() {
    if (tokenServer != null) {
      tokenServer.close();
    }
    Optional<ProcessHandle> h = ProcessHandle.of(process.pid());
    h.ifPresent(ProcessHandle::destroy);
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        h.ifPresent(ProcessHandle::destroyForcibly);
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      h.ifPresent(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
  }
}
