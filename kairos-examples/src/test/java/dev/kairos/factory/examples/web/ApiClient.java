package dev.kairos.factory.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.kairos.factory.examples.testsupport.TestSupport;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API as a client meets it: the JDK's HttpClient on the real server, and every JSON answer
 * checked against the schema {@code /openapi.json} gives for its path, method and status, so that
 * a handler drifting from the document fails the test that called it.
 */
final class ApiClient {
  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonNode SPEC = spec();
  private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  final String base;
  final String token;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  ApiClient(int port, String token) {
    this.base = "http://127.0.0.1:" + port;
    this.token = token;
  }

  /** An answer: status, headers and body; {@code json()} parses the body. */
  record Answer(int status, HttpResponse<byte[]> response) {
    String text() {
      return new String(response.body(), StandardCharsets.UTF_8);
    }

    JsonNode json() {
      return JSON.readTree(response.body());
    }

    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }
  }

  Answer get(String path, String... headers) throws Exception {
    return send("GET", path, null, headers);
  }

  Answer post(String path, String body, String... headers) throws Exception {
    return send("POST", path, body, headers);
  }

  Answer delete(String path) throws Exception {
    return send("DELETE", path, null);
  }

  /**
   * Sends a request; a JSON answer on an API path is checked against the OpenAPI document
   * (operation found by path template, method and status).
   */
  Answer send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(3))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    Answer a = new Answer(r.statusCode(), r);
    String type = r.headers().firstValue("Content-Type").orElse("");
    if (path.startsWith("/api/") && type.startsWith("application/json")) {
      assertThat(violations(method, path, a.status(), a.json()))
          .as("%s %s answered %s, which /openapi.json does not describe: %s", method, path, a.status(), a.text())
          .isEmpty();
    }
    return a;
  }

  /** Downloads {@code path} to the file {@code to} (an artifact may be too big to hold in memory); returns the status. */
  int download(String path, Path to) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofFile(to)).statusCode();
  }

  /** Opens an SSE stream; the caller reads it. */
  InputStream events(String id, Long lastEventId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/builds/" + id + "/events"))
        .timeout(Duration.ofMinutes(5));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (lastEventId != null) {
      b.header("Last-Event-ID", Long.toString(lastEventId));
    }
    HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    return r.body();
  }

  /** What the OpenAPI document's schema for this answer finds wrong with {@code body}. */
  static List<Error> violations(String method, String path, int status, JsonNode body) {
    String template = template(path.replaceFirst("\\?.*", ""));
    JsonNode op = SPEC.path("paths").path(template).path(method.toLowerCase(java.util.Locale.ROOT));
    assertThat(op.isMissingNode()).as("/openapi.json has no %s %s", method, template).isFalse();
    String pointer = "/paths/" + escape(template) + "/" + method.toLowerCase(java.util.Locale.ROOT) + "/responses/"
        + status;
    JsonNode response = SPEC.at(pointer);
    assertThat(response.isMissingNode()).as("/openapi.json has no %s answer for %s %s", status, method, template)
        .isFalse();
    if (response.has("$ref")) {
      pointer = response.get("$ref").asString().substring(1);
      response = SPEC.at(pointer);
    }
    pointer += "/content/application~1json/schema";
    assertThat(SPEC.at(pointer).isMissingNode()).as("no JSON schema at %s", pointer).isFalse();
    ObjectNode doc = ((ObjectNode) SPEC).deepCopy();
    doc.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    doc.put("$ref", "#" + pointer);
    return SCHEMAS.getSchema(doc.toString(), InputFormat.JSON).validate(body);
  }

  /** The document's path template a concrete path matches. */
  static String template(String path) {
    for (String t : SPEC.path("paths").propertyNames()) {
      if (path.matches(t.replaceAll("\\{[^}]+}", "[^/]+"))) {
        return t;
      }
    }
    return path;
  }

  private static String escape(String s) {
    return s.replace("~", "~0").replace("/", "~1");
  }

  private static JsonNode spec() {
    try (InputStream in = FactoryServer.class.getResourceAsStream("openapi.json")) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A request body. */
  static String body(Object value) {
    return JSON.writeValueAsString(value);
  }

  /** A quick build request from {@code root} to an OCI archive. */
  static java.util.Map<String, Object> quick(Path root) {
    return java.util.Map.of("from", "dir:" + root, "version", "v1.0.0", "skipSteps", TestSupport.QUICK_SKIPS,
        "artifacts", List.of("oci-archive"));
  }

  /** Waits up to {@code seconds} for build {@code id} to be in {@code state}; returns the build. */
  JsonNode await(String id, String state, int seconds) throws Exception {
    JsonNode[] seen = new JsonNode[1];
    // Every tenth of a second: each look is a request whose answer is checked against the document.
    TestSupport.await(() -> "build " + id + " to be " + state + "; it is " + seen[0].path("state").asString(), seconds,
        100, () -> {
          seen[0] = get("/api/v1/builds/" + id).json();
          return seen[0].path("state").asString().equals(state);
        });
    return seen[0];
  }
}
