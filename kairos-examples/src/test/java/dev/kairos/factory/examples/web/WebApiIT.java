package dev.kairos.factory.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.examples.cli.KairosFactoryCli;
import dev.kairos.factory.examples.testsupport.TestSupport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The API on a real server (127.0.0.1, a free port) with real builds, each in its own JVM: every
 * endpoint, every refusal, cancel, the queue limit; every JSON answer is held to /openapi.json.
 */
class WebApiIT {
  @TempDir static Path roots;
  @TempDir Path data;
  static Path tiny;
  static Path slow;
  private final List<FactoryServer> servers = new ArrayList<>();

  @BeforeAll
  static void roots() throws Exception {
    tiny = TestSupport.tinyRoot(roots.resolve("tiny"));
    slow = TestSupport.bigRoot(roots.resolve("slow"), 256);
  }

  @AfterEach
  void stop() throws Exception {
    for (FactoryServer s : servers) {
      s.close();
    }
  }

  private ApiClient server(int maxConcurrent, int maxQueued, String token) throws Exception {
    FactoryServer s = FactoryServer.start(data, "127.0.0.1", 0, token, maxConcurrent, maxQueued);
    servers.add(s);
    return new ApiClient(s.port(), token);
  }

  @Test
  void healthConfigOpenApiDocsAndThePage() throws Exception {
    ApiClient api = server(1, 4, null);
    assertThat(api.get("/api/v1/health").json().path("status").asString()).isEqualTo("ok");
    JsonNode config = api.get("/api/v1/config").json();
    assertThat(config.path("artifactKinds").toString()).contains("oci-layout", "oci-archive", "iso", "disk",
        "disk-bios", "uki", "netboot");
    assertThat(config.path("models").toString()).contains("generic", "rpi4");
    JsonNode spec = api.get("/openapi.json").json();
    assertThat(spec.path("openapi").asString()).isEqualTo("3.1.0");
    String docs = api.get("/docs").text();
    String bundle = docs.replaceAll("(?s).*src=\"([^\"]*swagger-ui-bundle.js)\".*", "$1");
    assertThat(bundle).startsWith("/webjars/swagger-ui/");
    ApiClient.Answer js = api.get(bundle);
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.text()).contains("SwaggerUIBundle");
    ApiClient.Answer page = api.get("/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.text()).containsIgnoringCase("<html");
  }

  @Test
  void aQuickBuildRunsStreamsItsEventsAndServesItsArtifactByNameWithRangeAndEtag() throws Exception {
    ApiClient api = server(1, 4, null);
    ApiClient.Answer created = api.post("/api/v1/builds", ApiClient.body(ApiClient.quick(tiny)));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String id = created.json().path("id").asString();
    assertThat(created.header("Location")).isEqualTo("/api/v1/builds/" + id);

    List<String[]> events = readEvents(api, id, null);
    assertThat(events).extracting(e -> e[1]).contains("state", "stepFinished", "progress");
    assertThat(events.get(events.size() - 1)[2]).contains("\"state\":\"succeeded\"");
    // Resumed after an event: exactly the later ones.
    long resumeAfter = Long.parseLong(events.get(events.size() - 3)[0]);
    List<String[]> rest = readEvents(api, id, resumeAfter);
    assertThat(rest).extracting(e -> e[0]).containsExactly(events.get(events.size() - 2)[0],
        events.get(events.size() - 1)[0]);

    JsonNode build = api.get("/api/v1/builds/" + id).json();
    assertThat(build.path("state").asString()).isEqualTo("succeeded");
    assertThat(build.path("steps").size()).isGreaterThan(10);
    assertThat(build.path("validation").isObject()).isTrue();
    JsonNode artifacts = api.get("/api/v1/builds/" + id + "/artifacts").json().path("artifacts");
    assertThat(artifacts.size()).isEqualTo(1);
    JsonNode a = artifacts.get(0);
    assertThat(a.path("kind").asString()).isEqualTo("oci-archive");

    ApiClient.Answer file = api.get(a.path("url").asString());
    assertThat(file.status()).isEqualTo(200);
    byte[] bytes = file.response().body();
    assertThat(bytes.length).isEqualTo(a.path("size").asLong());
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
        .isEqualTo(a.path("sha256").asString());
    assertThat(file.header("ETag")).isEqualTo("\"sha256:" + a.path("sha256").asString() + "\"");
    ApiClient.Answer part = api.get(a.path("url").asString(), "Range", "bytes=10-19");
    assertThat(part.status()).isEqualTo(206);
    assertThat(part.response().body()).isEqualTo(Arrays.copyOfRange(bytes, 10, 20));
    assertThat(part.header("Content-Range")).isEqualTo("bytes 10-19/" + bytes.length);
    assertThat(api.get(a.path("url").asString(), "Range", "bytes=" + bytes.length + "-").status()).isEqualTo(416);
    assertThat(api.get(a.path("url").asString(), "If-None-Match", file.header("ETag")).status()).isEqualTo(304);

    assertThat(api.get("/api/v1/builds/" + id + "/log").text()).contains("oci-archive", "kairos-factory build");

    // Listed newest first, filtered by state, paged.
    String second = api.post("/api/v1/builds", ApiClient.body(ApiClient.quick(tiny))).json().path("id").asString();
    api.await(second, "succeeded", 180);
    JsonNode list = api.get("/api/v1/builds").json();
    assertThat(list.path("builds")).extracting(b -> b.path("id").asString()).containsExactly(second, id);
    assertThat(api.get("/api/v1/builds?limit=1&offset=1").json().path("builds"))
        .extracting(b -> b.path("id").asString()).containsExactly(id);
    assertThat(api.get("/api/v1/builds?state=succeeded").json().path("total").asInt()).isEqualTo(2);
    assertThat(api.get("/api/v1/builds?state=queued").json().path("builds").size()).isZero();

    // A finished build cannot be cancelled.
    assertThat(api.delete("/api/v1/builds/" + id).status()).isEqualTo(409);
  }

  @Test
  void everyRefusalIsA4xxNamingWhatIsWrongAndWhere() throws Exception {
    ApiClient api = server(1, 4, null);
    ApiClient.Answer malformed = api.post("/api/v1/builds", "{\"from\": \"dir:/x\",\n  \"version\": }");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().path("findings").get(0).path("line").asInt()).isEqualTo(2);

    Map<String, Object> bad = new HashMap<>(ApiClient.quick(tiny));
    bad.put("colour", "blue");
    bad.put("version", "one");
    bad.put("stageExtensions", List.of("stages:\n  boot:\n    - name: x\n      commands: 5\n"));
    bad.put("artifacts", List.of("iso", "zip"));
    bad.put("skipSteps", List.of("nosuchstep"));
    ApiClient.Answer refused = api.post("/api/v1/builds", ApiClient.body(bad));
    assertThat(refused.status()).isEqualTo(400);
    JsonNode findings = refused.json().path("findings");
    assertThat(findings).extracting(f -> f.path("path").asString()).contains("$.colour", "$.version",
        "$.stageExtensions[0]", "$.artifacts[1]", "$.skipSteps[0]");
    JsonNode yip = findings.valueStream().filter(f -> f.path("path").asString().equals("$.stageExtensions[0]"))
        .findFirst().orElseThrow();
    assertThat(yip.path("line").asInt()).isEqualTo(4);
    assertThat(yip.path("column").asInt()).isGreaterThan(0);
    assertThat(api.get("/api/v1/builds").json().path("total").asInt()).as("nothing queued").isZero();

    assertThat(api.post("/api/v1/plan", ApiClient.body(bad)).status()).isEqualTo(400);
    assertThat(api.get("/api/v1/builds?state=done").status()).isEqualTo(400);
    assertThat(api.get("/api/v1/builds?limit=0").status()).isEqualTo(400);
    assertThat(api.post("/api/v1/builds", "x".repeat((int) FactoryServer.MAX_BODY + 1)).status()).isEqualTo(413);

    String unknown = "00000000-0000-0000-0000-000000000000";
    for (String p : List.of("", "/log", "/events", "/artifacts", "/artifacts/kairos.iso")) {
      assertThat(api.get("/api/v1/builds/" + unknown + p).status()).as(p).isEqualTo(404);
    }
    assertThat(api.delete("/api/v1/builds/" + unknown).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/builds/not-an-id").status()).isEqualTo(404);

    ApiClient.Answer yipCheck = api.post("/api/v1/yip/validate",
        ApiClient.body(Map.of("document", "stages:\n  boot:\n    - name: x\n      commands: 5\n")));
    assertThat(yipCheck.status()).isEqualTo(200);
    assertThat(yipCheck.json().path("valid").asBoolean()).isFalse();
    assertThat(yipCheck.json().path("findings").get(0).path("line").asInt()).isEqualTo(4);
    assertThat(api.post("/api/v1/yip/validate", ApiClient.body(Map.of("document", "stages: {}\n"))).json()
        .path("valid").asBoolean()).isTrue();
    assertThat(api.post("/api/v1/yip/validate", ApiClient.body(Map.of("text", "x"))).status()).isEqualTo(400);
  }

  @Test
  void anArtifactNameIsLookedUpNeverJoinedIntoAPath() throws Exception {
    ApiClient api = server(1, 4, null);
    String id = api.post("/api/v1/builds", ApiClient.body(ApiClient.quick(tiny))).json().path("id").asString();
    api.await(id, "succeeded", 180);
    assertThat(Files.exists(data.resolve("builds").resolve(id).resolve("build.log"))).isTrue();
    for (String name : List.of("..%2Fbuild.log", "%2E%2E%2Fbuild.log", "..%2F..%2Ffactory.db", "%2Fetc%2Fpasswd",
        "..%5Cbuild.log")) {
      ApiClient.Answer a = api.get("/api/v1/builds/" + id + "/artifacts/" + name);
      // The HTTP layer may refuse an encoded separator itself (400); either way no file is served.
      assertThat(a.status()).as(name).isIn(400, 404);
      assertThat(a.text()).as(name).doesNotContain("kairos-factory build", "SQLite");
    }
    assertThat(api.get("/api/v1/builds/" + id + "/artifacts/build.log").status()).isEqualTo(404);
  }

  @Test
  void thePlanOfARequestIsWhatBuildDryRunPrints() throws Exception {
    ApiClient api = server(1, 4, null);
    ApiClient.Answer plan = api.post("/api/v1/plan", ApiClient.body(ApiClient.quick(tiny)));
    assertThat(plan.status()).as(plan.text()).isEqualTo(200);
    assertThat(plan.json().path("plan").path("distro").asString()).contains("debian");
    assertThat(plan.json().path("seconds").asDouble()).isLessThan(60);
    StringWriter out = new StringWriter();
    List<String> args = new ArrayList<>(List.of("build", "--from", "dir:" + tiny, "--version", "v1.0.0",
        "--skip-step", String.join(",", TestSupport.QUICK_SKIPS), "--dry-run", "--json"));
    assertThat(KairosFactoryCli.execute(new PrintWriter(out), new PrintWriter(new StringWriter()),
        args.toArray(String[]::new))).isZero();
    assertThat(plan.json().path("plan")).isEqualTo(ApiClient.JSON.readTree(out.toString()));
    assertThat(api.get("/api/v1/builds").json().path("total").asInt()).as("a plan is not a build").isZero();
  }

  @Test
  void aTokenIsNeededOnEveryApiCallWhenTheServerHasOne() throws Exception {
    ApiClient api = server(1, 4, "s3cret-token");
    ApiClient none = new ApiClient(portOf(api), null);
    ApiClient wrong = new ApiClient(portOf(api), "s3cret-tokeN");
    assertThat(api.get("/api/v1/health").status()).isEqualTo(200);
    for (ApiClient c : List.of(none, wrong)) {
      assertThat(c.get("/api/v1/health").status()).isEqualTo(401);
      assertThat(c.get("/api/v1/builds").status()).isEqualTo(401);
      ApiClient.Answer post = c.post("/api/v1/builds", ApiClient.body(ApiClient.quick(tiny)));
      assertThat(post.status()).isEqualTo(401);
      assertThat(post.header("WWW-Authenticate")).isEqualTo("Bearer");
    }
    assertThat(api.get("/api/v1/builds").json().path("total").asInt()).isZero();
    assertThat(none.get("/openapi.json").status()).as("the document is public").isEqualTo(200);
  }

  @Test
  void listeningBeyondLoopbackWithoutATokenIsAUsageError() {
    StringWriter err = new StringWriter();
    int exit = KairosFactoryCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "web",
        "--listen", "0.0.0.0:0", "--data", data.toString());
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--token-file");
  }

  @Test
  void theQueueIsBoundedAndAQueuedOrRunningBuildCanBeCancelled() throws Exception {
    ApiClient api = server(1, 1, null);
    Map<String, Object> slowRequest = ApiClient.quick(slow);
    String running = api.post("/api/v1/builds", ApiClient.body(slowRequest)).json().path("id").asString();
    api.await(running, "running", 60);
    String queued = api.post("/api/v1/builds", ApiClient.body(slowRequest)).json().path("id").asString();
    ApiClient.Answer full = api.post("/api/v1/builds", ApiClient.body(slowRequest));
    assertThat(full.status()).isEqualTo(429);
    assertThat(full.header("Retry-After")).isNotBlank();

    ApiClient.Answer cancelQueued = api.delete("/api/v1/builds/" + queued);
    assertThat(cancelQueued.status()).isEqualTo(200);
    assertThat(cancelQueued.json().path("state").asString()).isEqualTo("cancelled");

    // Running: wait until its JVM is at work, then cancel; it answers once the build has stopped.
    waitForEvent(api, running, "progress");
    List<ProcessHandle> before = buildProcesses(running);
    assertThat(before).as("the build's JVM").isNotEmpty();
    ApiClient.Answer cancelRunning = api.delete("/api/v1/builds/" + running);
    assertThat(cancelRunning.status()).isEqualTo(200);
    assertThat(cancelRunning.json().path("state").asString())
        .as(() -> "the build's log:\n" + logOf(api, running)).isEqualTo("cancelled");
    assertThat(before).allMatch(p -> !p.isAlive());
    assertThat(buildProcesses(running)).isEmpty();
    assertThat(api.get("/api/v1/builds/" + running + "/log").text()).contains("kairos-factory build");
    assertThat(api.get("/api/v1/builds/" + running + "/artifacts").json().path("artifacts").size()).isZero();
    // The queue has room again.
    assertThat(api.post("/api/v1/builds", ApiClient.body(ApiClient.quick(tiny))).status()).isEqualTo(201);
  }

  private static String logOf(ApiClient api, String id) {
    try {
      return api.get("/api/v1/builds/" + id + "/log").text();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static int portOf(ApiClient api) {
    return Integer.parseInt(api.base.substring(api.base.lastIndexOf(':') + 1));
  }

  /** Processes whose command line names the build's directory (its JVM, and what that started). */
  static List<ProcessHandle> buildProcesses(String id) {
    return ProcessHandle.allProcesses().filter(p -> commandLine(p).contains(id)).toList();
  }

  /** The whole command line, from /proc (ProcessHandle.Info may leave the arguments out). */
  static String commandLine(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
          StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static void waitForEvent(ApiClient api, String id, String type) throws Exception {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(api.events(id, null), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.equals("event: " + type)) {
          return;
        }
      }
    }
    throw new AssertionError("no " + type + " event for " + id);
  }

  /** The whole event stream of a build (it ends at the final state): [id, event, data] each. */
  static List<String[]> readEvents(ApiClient api, String id, Long after) throws Exception {
    List<String[]> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(api.events(id, after), StandardCharsets.UTF_8))) {
      String[] e = new String[3];
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("id: ")) {
          e[0] = line.substring(4);
        } else if (line.startsWith("event: ")) {
          e[1] = line.substring(7);
        } else if (line.startsWith("data: ")) {
          e[2] = line.substring(6);
        } else if (line.isEmpty() && e[0] != null) {
          out.add(e);
          e = new String[3];
        }
      }
    }
    return out;
  }
}
