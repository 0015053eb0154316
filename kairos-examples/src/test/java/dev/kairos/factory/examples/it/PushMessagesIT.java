package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.examples.testsupport.TestSupport;
import dev.kairos.factory.examples.testsupport.TestSupport.Run;
import dev.kairos.factory.oci.testing.LocalRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code push} to Debian's docker-registry on 127.0.0.1, run as a user runs it: the CLI jar in a
 * child JVM with its own environment. It reports the size of what it pushed, and when a login
 * file holds a login it did not send (plain HTTP) and the registry then refuses, it says so.
 */
class PushMessagesIT {
  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path tmp;
  Path root;

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    assumeTrue(Files.isRegularFile(TestSupport.JAR), "the CLI jar is built by package");
    root = TestSupport.releasedRoot(tmp.resolve("root"));
    Files.write(root.resolve("etc/payload"), new byte[200_000]);
  }

  private Run cli(Map<String, String> env, String... args) throws Exception {
    // No login file of the machine's: only what a test gives.
    return TestSupport.run(tmp, List.of("DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR"), env,
        TestSupport.cliCommand(args));
  }

  @Test
  void pushReportsTheRealSizeOfTheImage() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"))) {
      String ref = registry.address() + "/kairos/sized:v1";
      Run push = cli(Map.of(), "push", "--root", root.toString(), "--base", "dir:" + root, ref, "--json");
      assertThat(push.exit()).as(push.err()).isZero();
      long reported = JSON.readTree(push.out()).get("size").asLong();

      HttpResponse<byte[]> m = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://" + registry.address() + "/v2/kairos/sized/manifests/v1"))
          .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode manifest = JSON.readTree(m.body());
      long inRegistry = m.body().length + manifest.get("config").get("size").asLong();
      for (JsonNode l : manifest.get("layers")) {
        inRegistry += l.get("size").asLong();
      }
      assertThat(reported).isEqualTo(inRegistry).isGreaterThan(0);

      Run human = cli(Map.of(), "push", "--root", root.toString(), "--base", "dir:" + root, ref);
      assertThat(human.exit()).as(human.err()).isZero();
      assertThat(human.out()).startsWith("pushed " + registry.address() + "/kairos/sized:v1@sha256:")
          .doesNotContain(" 0 B");
    }
  }

  @Test
  void aLoginHeldBackFromPlainHttpIsNamedWhenTheRegistryRefuses() throws Exception {
    try (LocalRegistry registry = LocalRegistry.startWithBasicAuth(tmp.resolve("registry"), "me", "secret")) {
      Path auth = tmp.resolve("auth.json");
      Files.writeString(auth, "{\"auths\":{\"" + registry.address() + "\":{\"auth\":\"bWU6c2VjcmV0\"}}}");
      Run push = cli(Map.of("REGISTRY_AUTH_FILE", auth.toString()), "push", "--root", root.toString(),
          "--base", "dir:" + root, registry.address() + "/kairos/locked:v1");
      assertThat(push.exit()).isEqualTo(1);
      assertThat(push.err()).contains("HTTP 401").contains("anonymous access not accepted")
          .contains("the login for " + registry.address() + " in " + auth + " was not sent")
          .contains("plain HTTP");

      Path empty = tmp.resolve("empty.json");
      Files.writeString(empty, "{\"auths\":{}}");
      Run without = cli(Map.of("REGISTRY_AUTH_FILE", empty.toString()), "push", "--root", root.toString(),
          "--base", "dir:" + root, registry.address() + "/kairos/locked:v1");
      assertThat(without.exit()).isEqualTo(1);
      assertThat(without.err()).contains("HTTP 401").doesNotContain("was not sent");
    }
  }
}
