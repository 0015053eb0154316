package dev.kairos.factory.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.it.Scratch;
import dev.kairos.factory.examples.it.MainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * The README's main job through the API: the same base, stage extension, version and artifacts
 * as {@link MainJob}'s CLI build, posted to a real server on 127.0.0.1, followed over its event
 * stream to {@code succeeded}; its ISO, downloaded by name, is the CLI's ISO to the byte (the same
 * inputs and source date: the server runs the very same build), and boots to the marker.
 */
@Tag("slow") // a second build of the main job (from the step cache) and a second boot; runs with -Pslow
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(MainJob.Shared.class)
class WebMainJobIT {
  static MainJob job;
  static Path data;
  static FactoryServer server;
  static ApiClient api;
  static String id;
  static List<String[]> events;

  @BeforeAll
  static void build(MainJob cli) throws Exception {
    job = cli;
    data = Scratch.create("web-main-job");
    // The server's download cache is the one the CLI's build filled: the packages are not fetched twice.
    Files.createSymbolicLink(data.resolve("cache"), MainJob.packageCache());
    server = FactoryServer.start(data, "127.0.0.1", 0, null, 1, 4);
    api = new ApiClient(server.port(), null);
    Map<String, Object> request = Map.of("from", "dir:" + job.base, "version", MainJob.VERSION,
        "stageExtensions", List.of(MainJob.EXTENSION), "artifacts", List.of("oci-layout", "iso"));
    ApiClient.Answer created = api.post("/api/v1/builds", ApiClient.body(request));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    id = created.json().path("id").asString();
    events = WebApiIT.readEvents(api, id, null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (data != null) {
      Scratch.delete(data);
    }
  }

  @Test
  @Order(1)
  void theEventStreamFollowsTheBuildToSucceeded() throws Exception {
    assertThat(events).extracting(e -> e[1]).contains("state", "stepStarted", "stepFinished", "progress");
    assertThat(events.get(events.size() - 1)[2])
        .as(() -> "the build's log:\n" + logTail()).contains("\"state\":\"succeeded\"");
    JsonNode build = api.get("/api/v1/builds/" + id).json();
    assertThat(build.path("state").asString()).isEqualTo("succeeded");
    assertThat(build.path("name").asString()).isEqualTo(MainJob.NAME);
    assertThat(build.path("validation")).isEqualTo(job.result.get("validation"));
    // The long steps each ran or were restored from the step cache (the CLI's build may have filled
    // it), and the cache's report agrees with the step list on which.
    JsonNode cache = build.path("stepCache");
    assertThat(cache.isObject()).as("the build's stepCache: %s", cache).isTrue();
    for (String name : List.of("installPackages", "initrd")) {
      JsonNode step = build.path("steps").valueStream().filter(s -> s.path("step").asString().equals(name))
          .findFirst().orElseThrow(() -> new AssertionError("no step " + name + " in " + build.path("steps")));
      assertThat(step.path("skipped").asBoolean()).as(name + " skipped").isFalse();
      boolean cached = step.path("cached").asBoolean();
      assertThat(cache.path(cached ? "reused" : "ran").valueStream().map(JsonNode::asString))
          .as("%s (%s) in the step cache's report %s", name, cached ? "restored" : "ran", cache).contains(name);
      assertThat(cache.path(cached ? "ran" : "reused").valueStream().map(JsonNode::asString)).doesNotContain(name);
    }
  }

  @Test
  @Order(2)
  void itsIsoIsTheClisToTheByteAndItsLayoutTheSameImage() throws Exception {
    JsonNode artifacts = api.get("/api/v1/builds/" + id + "/artifacts").json().path("artifacts");
    JsonNode iso = artifact(artifacts, "kairos.iso");
    assertThat(iso.path("kind").asString()).isEqualTo("iso");
    JsonNode cliIso = job.result.get("artifacts").valueStream()
        .filter(a -> a.get("kind").asString().equals("ISO")).findFirst().orElseThrow();
    assertThat("sha256:" + iso.path("sha256").asString()).isEqualTo(cliIso.get("digest").asString());
    Path downloaded = downloadedIso();
    assertThat(Files.size(downloaded)).isEqualTo(iso.path("size").asLong());
    job.assertSameIso(downloaded);

    // The layout's index names the image's manifest by digest: the same index, the same image.
    ApiClient.Answer index = api.get(artifact(artifacts, "oci-layout_index.json").path("url").asString());
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.response().body()).isEqualTo(Files.readAllBytes(job.out.resolve("oci/index.json")));
  }

  @Test
  @Order(3)
  void itsIsoBootsToTheMarker() throws Exception {
    MainJob.assertBootsToMarker(downloadedIso(), data.resolve("qemu"));
  }

  /**
   * The build's ISO, downloaded by name once: the boot check has its own ISO to boot even when the
   * byte comparison failed before its download.
   */
  private static synchronized Path downloadedIso() throws Exception {
    Path downloaded = data.resolve("downloaded.iso");
    if (!Files.exists(downloaded)) {
      JsonNode iso = artifact(api.get("/api/v1/builds/" + id + "/artifacts").json().path("artifacts"), "kairos.iso");
      Path part = data.resolve("downloaded.iso.part");
      assertThat(api.download(iso.path("url").asString(), part)).isEqualTo(200);
      Files.move(part, downloaded);
    }
    return downloaded;
  }

  private static JsonNode artifact(JsonNode artifacts, String name) {
    return artifacts.valueStream().filter(a -> a.path("name").asString().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no artifact " + name + " in " + artifacts));
  }

  private static String logTail() {
    try {
      String log = api.get("/api/v1/builds/" + id + "/log").text();
      return log.substring(Math.max(0, log.length() - 4000));
    } catch (Exception e) {
      return e.toString();
    }
  }
}
