package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
  static final Path JAR = Path.of("target/kairos-factory.jar");

  @TempDir Path tmp;
  Path root;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    assumeTrue(Files.isRegularFile(JAR), "the CLI jar is built by package");
    root = Files.createDirectories(tmp.resolve("root/etc")).getParent();
    Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    Files.writeString(root.resolve("etc/kairos-release"), "KAIROS_TARGETARCH=\"amd64\"\nKAIROS_VERSION=\"v1.0.0\"\n");
    Files.write(root.resolve("etc/payload"), new byte[200_000]);
  }

  private Run cli(Map<String, String> env, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().put("HOME", tmp.toString());
    pb.environment().remove("DOCKER_CONFIG");
    pb.environment().remove("REGISTRY_AUTH_FILE");
    pb.environment().remove("XDG_RUNTIME_DIR");
    pb.environment().putAll(env);
    pb.redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
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
