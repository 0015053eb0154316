package dev.kairos.factory.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.examples.testsupport.TestSupport;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A restart loses nothing: the server's JVM (the CLI jar, {@code web}) is killed with SIGKILL
 * during a build; started again on the same data, the build shows interrupted with its log kept,
 * the finished build and its artifact are still there, and the queued build is still to run.
 */
class WebRestartIT {
  @TempDir Path tmp;
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : servers) {
      p.destroy();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private ApiClient start(Path data, int port, String name) throws Exception {
    Path jar = Path.of("target/kairos-factory.jar").toAbsolutePath();
    assertThat(jar).as("the CLI jar (mvn package)").isRegularFile();
    Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar", jar.toString(),
        "web", "--listen", "127.0.0.1:" + port, "--data", data.toString(), "--max-concurrent", "1")
        .redirectOutput(tmp.resolve(name + ".out").toFile()).redirectError(tmp.resolve(name + ".err").toFile())
        .start();
    servers.add(p);
    ApiClient api = new ApiClient(port, null);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        if (api.get("/api/v1/health").status() == 200) {
          return api;
        }
      } catch (IOException e) {
        // not listening yet
      }
      assertThat(p.isAlive()).as("the server (%s)", Files.readString(tmp.resolve(name + ".err"))).isTrue();
      assertThat(System.nanoTime()).as("the server to listen").isLessThan(end);
      Thread.sleep(100);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void aServerKilledDuringABuildShowsItInterruptedAfterARestartAndKeepsTheRest() throws Exception {
    Path tiny = TestSupport.tinyRoot(tmp.resolve("tiny"));
    Path slow = TestSupport.bigRoot(tmp.resolve("slow"), 256);
    Path data = tmp.resolve("data");
    int port = freePort();
    ApiClient api = start(data, port, "first");
    String done = api.post("/api/v1/builds", ApiClient.body(ApiClient.quick(tiny))).json().path("id").asString();
    JsonNode finished = api.await(done, "succeeded", 180);
    String running = api.post("/api/v1/builds", ApiClient.body(ApiClient.quick(slow))).json().path("id").asString();
    String queued = api.post("/api/v1/builds", ApiClient.body(ApiClient.quick(tiny))).json().path("id").asString();
    api.await(running, "running", 60);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (WebApiIT.buildProcesses(running).isEmpty() || !api.get("/api/v1/builds/" + running + "/log").text()
        .contains("copy")) {
      assertThat(System.nanoTime()).as("the build to be at work").isLessThan(end);
      Thread.sleep(100);
    }
    List<ProcessHandle> build = WebApiIT.buildProcesses(running);

    Process first = servers.remove(0);
    first.destroyForcibly(); // SIGKILL: no shutdown hook runs
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    // Its build's JVM notices the server is gone and stops as on SIGTERM.
    long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (build.stream().anyMatch(ProcessHandle::isAlive)) {
      assertThat(System.nanoTime()).as("the orphaned build to stop").isLessThan(gone);
      Thread.sleep(100);
    }

    ApiClient again = start(data, port, "second");
    JsonNode interrupted = again.get("/api/v1/builds/" + running).json();
    assertThat(interrupted.path("state").asString()).isEqualTo("interrupted");
    assertThat(again.get("/api/v1/builds/" + running + "/log").text()).contains("kairos-factory build", "copy");
    List<String[]> events = WebApiIT.readEvents(again, running, null);
    assertThat(events.get(events.size() - 1)[2]).contains("interrupted");

    JsonNode kept = again.get("/api/v1/builds/" + done).json();
    assertThat(kept.path("state").asString()).isEqualTo("succeeded");
    assertThat(kept.path("artifacts")).isEqualTo(finished.path("artifacts"));
    ApiClient.Answer file = again.get(kept.path("artifacts").get(0).path("url").asString());
    assertThat(file.status()).isEqualTo(200);
    assertThat(file.header("ETag")).contains(kept.path("artifacts").get(0).path("sha256").asString());

    // The queued build was not lost: it runs now.
    assertThat(again.await(queued, "succeeded", 180).path("artifacts").size()).isEqualTo(1);
    assertThat(again.get("/api/v1/builds").json().path("total").asInt()).isEqualTo(3);
  }
}
