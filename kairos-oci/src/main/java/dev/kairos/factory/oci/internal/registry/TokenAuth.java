package dev.kairos.factory.oci.internal.registry;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.oci.internal.image.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * The authentication of the distribution spec for requests the library sends itself: Basic
 * credentials where the registry asks for Basic, and where it answers
 * {@code WWW-Authenticate: Bearer realm=…,service=…,scope=…} a token fetched from the realm with
 * the credentials (or anonymously) and cached per scope until it expires. One instance serves one
 * registry, so that a scope names a token unambiguously.
 */
final class TokenAuth {
  /** A parsed {@code WWW-Authenticate} challenge: its scheme and parameters. */
  record Challenge(String scheme, Map<String, String> params) {
    private static final Pattern PARAM = Pattern.compile("([A-Za-z_]+)\\s*=\\s*(?:\"([^\"]*)\"|([^,\\s]*))");

    /** Parses a challenge; parameters may come in any order and quoted or not. */
    static Challenge parse(String header) throws InvalidInputException {
      String h = header.strip();
      int sp = h.indexOf(' ');
      if (sp <= 0) {
        return new Challenge(h.toLowerCase(Locale.ROOT), Map.of());
      }
      Map<String, String> params = new LinkedHashMap<>();
      Matcher m = PARAM.matcher(h.substring(sp + 1));
      while (m.find()) {
        params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
      }
      Challenge c = new Challenge(h.substring(0, sp).toLowerCase(Locale.ROOT), Map.copyOf(params));
      if (c.scheme().equals("bearer") && !c.params().containsKey("realm")) {
        throw new InvalidInputException("WWW-Authenticate '" + header + "'", "a Bearer challenge needs a realm");
      }
      return c;
    }
  }

  private record Token(String value, long expiresAtNanos) {}

  private final HttpClient http;
  private final String username;
  private final String password;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  TokenAuth(HttpClient http, String username, String password) {
    this.http = http;
    this.username = username;
    this.password = password;
  }

  /**
   * The header to send first: a live cached token for {@code scope} (a push token serves for
   * pulling too), else Basic credentials if there are any.
   */
  Optional<String> preemptive(String requested) {
    String scope = canonicalScope(requested);
    Token t = live(scope);
    if (t == null && scope.endsWith(":pull")) {
      t = live(scope + ",push");
    }
    return t != null ? Optional.of("Bearer " + t.value()) : basic();
  }

  private Token live(String scope) {
    Token t = tokens.get(scope);
    return t != null && t.expiresAtNanos() - System.nanoTime() > 0 ? t : null;
  }

  /** Who is asking, for error messages. */
  String describe() {
    return username == null ? "anonymous access" : "the credentials of '" + username + "'";
  }

  private Optional<String> basic() {
    if (username == null) {
      return Optional.empty();
    }
    String pair = username + ":" + password;
    return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Answers a 401's challenge: the header to retry with, or empty if retrying cannot help (a Basic
   * challenge without credentials, or after the credentials were refused).
   */
  Optional<String> answer(String wwwAuthenticate, String defaultScope, String what) throws IOException {
    Challenge c = Challenge.parse(wwwAuthenticate);
    if (c.scheme().equals("basic")) {
      return basic();
    }
    if (!c.scheme().equals("bearer")) {
      throw new KairosException(what + ": the registry asks for unsupported authentication '" + c.scheme() + "'");
    }
    String realm = c.params().get("realm");
    String service = c.params().getOrDefault("service", "");
    String scope = canonicalScope(c.params().getOrDefault("scope", defaultScope));
    Token cached = live(scope);
    // With an error (such as insufficient_scope) the cached token is what was refused.
    if (cached != null && !c.params().containsKey("error")) {
      return Optional.of("Bearer " + cached.value());
    }
    Token t = fetch(realm, service, scope, what);
    tokens.put(scope, t);
    return Optional.of("Bearer " + t.value());
  }

  /**
   * {@code scope} with its scopes sorted and each one's actions sorted: registries list the actions
   * of a challenge in any order ({@code push,pull} one time, {@code pull,push} the next), and one
   * spelling per meaning keeps the token cache and the token server's view consistent.
   */
  static String canonicalScope(String scope) {
    TreeSet<String> scopes = new TreeSet<>();
    for (String s : scope.trim().split(" +")) {
      int colon = s.lastIndexOf(':');
      if (colon < 0) {
        scopes.add(s);
        continue;
      }
      TreeSet<String> actions = new TreeSet<>(Arrays.asList(s.substring(colon + 1).split(",")));
      actions.remove("");
      scopes.add(s.substring(0, colon + 1) + String.join(",", actions));
    }
    return String.join(" ", scopes);
  }

  private Token fetch(String realm, String service, String scope, String what) throws IOException {
    StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
    if (!service.isEmpty()) {
      q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8)).append('&');
    }
    // Several scopes (a mount reads another repository) go as repeated parameters, as Docker sends them.
    String sep = "";
    for (String s : scope.split(" ")) {
      if (!s.isEmpty()) {
        q.append(sep).append("scope=").append(URLEncoder.encode(s, StandardCharsets.UTF_8));
        sep = "&";
      }
    }
    URI uri;
    try {
      uri = URI.create(q.toString());
    } catch (IllegalArgumentException e) {
      throw new KairosException(what + ": the registry named a malformed token realm '" + realm + "'");
    }
    HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET();
    basic().ifPresent(h -> rb.header("Authorization", h));
    HttpResponse<byte[]> r;
    try {
      r = http.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while fetching a token from " + realm);
    }
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      throw new KairosException(what + ": the token server " + realm + " refused " + describe() + " for scope '" + scope + "' (HTTP " + r.statusCode() + ")");
    }
    if (r.statusCode() != 200) {
      throw new KairosException(what + ": the token server " + realm + " answered HTTP " + r.statusCode());
    }
    ObjectNode body = Json.parse(r.body(), "token response of " + realm);
    String token = body.path("token").asString(body.path("access_token").asString(""));
    if (token.isEmpty()) {
      throw new KairosException(what + ": the token server " + realm + " answered without a token");
    }
    // A token without expires_in lives 60 s (the distribution spec's default); renew 10 s early.
    long seconds = Math.max(body.path("expires_in").asLong(60) - 10, 0);
    return new Token(token, System.nanoTime() + Duration.ofSeconds(seconds).toNanos());
  }
}
