package dev.kairos.factory.oci.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A token server for a {@code docker-registry} configured with {@code auth: token:}, on
 * 127.0.0.1: it checks Basic credentials and issues RS256 JWTs as the distribution token spec
 * describes ({@code iss}, {@code aud} = service, {@code exp}/{@code nbf}, and an {@code access}
 * list of repository actions), signed by a key whose self-signed certificate is the registry's
 * {@code rootcertbundle} and travels in the token's {@code x5c} header. Anonymous requests get a
 * token that grants nothing; wrong credentials get 401. The key and certificate are made with
 * {@code openssl}. Every request is recorded, for tests that check token caching.
 */
public final class TokenServer implements AutoCloseable {
  /** The {@code iss} of every token, and the registry's {@code issuer}. */
  public static final String ISSUER = "kairos-test-token-issuer";
  /** The {@code aud} of every token, and the registry's {@code service}. */
  public static final String SERVICE = "kairos-test-registry";
  private static final long LIFETIME_SECONDS = 300;

  /**
   * A token request as received: who asked (empty if anonymous or refused) and the scopes asked for.
   *
   * @param account the user the token was issued to; empty if anonymous or refused
   * @param scopes the {@code scope} parameters, in the order received
   * @param status the HTTP status answered: 200, or 401 for wrong credentials
   */
  public record Request(String account, List<String> scopes, int status) {}

  private final HttpServer server;
  private final PrivateKey key;
  private final String certificate;
  private final Path rootCertBundle;
  private final String user;
  private final String password;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private boolean closed;

  private TokenServer(HttpServer server, PrivateKey key, String certificate, Path rootCertBundle, String user,
      String password) {
    this.server = server;
    this.key = key;
    this.certificate = certificate;
    this.rootCertBundle = rootCertBundle;
    this.user = user;
    this.password = password;
  }

  /** Makes a key and certificate under {@code dir} and starts serving tokens for {@code user}/{@code password}. */
  public static TokenServer start(Path dir, String user, String password) throws IOException {
    Files.createDirectories(dir);
    Path keyFile = dir.resolve("token-key.pem");
    Path certFile = dir.resolve("token-cert.pem");
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2", "-subj", "/CN=" + ISSUER,
        "-keyout", keyFile.toString(), "-out", certFile.toString());
    try {
      String pem = Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
      TokenServer t = new TokenServer(server, key, Base64.getEncoder().encodeToString(cert.getEncoded()), certFile,
          user, password);
      server.createContext("/token", t::handle);
      server.start();
      return t;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot load the token key made by openssl: " + e.getMessage(), e);
    }
  }

  private static void openssl(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("openssl timed out: " + cmd);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted: " + cmd);
    }
    if (p.exitValue() != 0) {
      throw new IOException("openssl failed with " + p.exitValue() + ": " + cmd);
    }
  }

  /** The {@code realm} the registry sends clients to. */
  public String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  /** The certificate the registry trusts tokens by. */
  public Path rootCertBundle() {
    return rootCertBundle;
  }

  /** The requests received so far, in order. */
  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      List<String> scopes = new ArrayList<>();
      String query = ex.getRequestURI().getRawQuery();
      for (String kv : query == null ? new String[0] : query.split("&")) {
        int eq = kv.indexOf('=');
        if (eq > 0 && kv.substring(0, eq).equals("scope")) {
          // Several scopes may also come space-separated in one parameter.
          for (String s : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8).split(" ")) {
            if (!s.isEmpty()) {
              scopes.add(s);
            }
          }
        }
      }
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      String account = "";
      if (auth != null) {
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        if (!auth.equals(expected)) {
          requests.add(new Request("", scopes, 401));
          send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
          return;
        }
        account = user;
      }
      requests.add(new Request(account, scopes, 200));
      String token = sign(account, account.isEmpty() ? List.of() : scopes);
      send(ex, 200, "{\"token\":\"" + token + "\",\"access_token\":\"" + token + "\",\"expires_in\":" + LIFETIME_SECONDS
          + ",\"issued_at\":\"" + Instant.now() + "\"}");
    }
  }

  private static void send(HttpExchange ex, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
  }

  /** A JWT granting every action of every {@code repository:name:actions} scope given. */
  private String sign(String account, List<String> scopes) throws IOException {
    StringBuilder access = new StringBuilder("[");
    for (String s : scopes) {
      String[] p = s.split(":");
      if (p.length != 3 || !p[0].equals("repository")) {
        continue;
      }
      access.append(access.length() > 1 ? "," : "").append("{\"type\":\"repository\",\"name\":\"").append(p[1])
          .append("\",\"actions\":[");
      String[] actions = p[2].split(",");
      for (int i = 0; i < actions.length; i++) {
        access.append(i > 0 ? "," : "").append('"').append(actions[i]).append('"');
      }
      access.append("]}");
    }
    access.append(']');
    long now = Instant.now().getEpochSecond();
    String header = "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5c\":[\"" + certificate + "\"]}";
    String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + account + "\",\"aud\":\"" + SERVICE + "\",\"exp\":"
        + (now + LIFETIME_SECONDS) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID()
        + "\",\"access\":" + access + "}";
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    try {
      Signature sig = Signature.getInstance("SHA256withRSA");
      sig.initSign(key);
      sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + b64.encodeToString(sig.sign());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot sign a token: " + e.getMessage(), e);
    }
  }

  /** Stops serving; idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      server.stop(0);
    }
  }
}
