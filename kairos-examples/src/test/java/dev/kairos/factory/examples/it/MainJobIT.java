package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import dev.kairos.factory.examples.cli.KairosFactoryCli;
import dev.kairos.factory.oci.testing.LocalRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's main job, end to end, as root: {@code build} from the cached debootstrapped Debian
 * base (made on a cold cache) with a stage extension that prints a marker at boot, to an OCI
 * layout and an ISO; then the ISO boots under QEMU + OVMF to that marker, and skopeo reads the
 * layout we wrote.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MainJobIT {
  static final String MARKER = "KAIROS_E2E_MAIN_JOB_OK";
  static final JsonMapper JSON = JsonMapper.builder().build();

  static Path scratch;
  static Path out;
  static JsonNode result;

  @BeforeAll
  static void build() throws Exception {
    DebianFixture.assumeUsable();
    scratch = Scratch.create("main-job");
    Path base = scratch.resolve("base");
    DebianFixture.extract(DebianFixture.minbaseTarball(), base);
    Path extensions = Files.createDirectories(scratch.resolve("extensions"));
    Files.writeString(extensions.resolve("10-marker.yaml"), String.join("\n",
        "stages:",
        "  after-install:",
        "    - name: boot marker",
        "      files:",
        "        - path: /etc/systemd/system/kairos-e2e-marker.service",
        "          permissions: 0644",
        "          content: |",
        "            [Unit]",
        "            Description=Print the end-to-end marker on the serial console",
        "            After=basic.target",
        "            [Service]",
        "            Type=oneshot",
        "            ExecStart=/bin/sh -c 'echo " + MARKER + " > /dev/ttyS0'",
        "            [Install]",
        "            WantedBy=multi-user.target",
        "      systemctl:",
        "        enable: [kairos-e2e-marker]",
        ""));
    out = scratch.resolve("out");
    List<String> args = new ArrayList<>(List.of("build", "--from", "dir:" + base, "--version", "v1.0.0",
        "-x", extensions.toString(), "--work", scratch.resolve("work").toString(),
        // Apt's downloads are kept beside the other fixtures, so a second run fetches no package.
        "--cache", DebianFixture.cacheDir().resolve("cli-cache").toString(),
        "--oci-layout", out.resolve("oci").toString(), "--iso", out.resolve("kairos.iso").toString(), "--json"));
    CliRunner build = CliRunner.run(args.toArray(String[]::new));
    assertThat(build.exit()).as(build.err()).isZero();
    result = JSON.readTree(build.out());
  }

  static boolean inImage(Path root, String path) {
    return Files.exists(root.resolve(path), LinkOption.NOFOLLOW_LINKS);
  }

  /** The CLI in-process, with what it printed. */
  record CliRunner(int exit, String out, String err) {
    static CliRunner run(String... args) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit = KairosFactoryCli.execute(new PrintWriter(out), new PrintWriter(err), args);
      return new CliRunner(exit, out.toString(), err.toString());
    }
  }

  @AfterAll
  static void clean() throws Exception {
    if (scratch != null) {
      Scratch.delete(scratch);
    }
  }

  @Test
  @Order(1)
  void reportsNameArtifactsAndAValidImage() throws Exception {
    assertThat(result.get("name").asString()).isEqualTo("kairos-debian-12-core-amd64-generic-v1.0.0");
    List<String> kinds = new ArrayList<>();
    result.get("artifacts").forEach(a -> kinds.add(a.get("kind").asString()));
    assertThat(kinds).containsExactly("OCI_LAYOUT", "ISO");
    for (JsonNode a : result.get("artifacts")) {
      assertThat(a.get("digest").asString()).startsWith("sha256:");
    }
    assertThat(result.get("artifacts").get(1).get("size").asLong()).isEqualTo(Files.size(out.resolve("kairos.iso")));
    assertThat(result.get("release").get("KAIROS_VERSION").asString()).isEqualTo("v1.0.0");
    // Links in the image are absolute: look at them, not through them (that would reach the host's /).
    Path root = Path.of(result.get("rootfs").asString());
    assertThat(inImage(root, "boot/vmlinuz")).isTrue();
    assertThat(inImage(root, "boot/initrd")).isTrue();
    assertThat(inImage(root, "etc/systemd/system/multi-user.target.wants/kairos-e2e-marker.service")).isTrue();
  }

  @Test
  @Order(2)
  void skopeoReadsTheLayout() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo is not installed");
    String tag = result.get("tag").asString();
    Process p = new ProcessBuilder("skopeo", "inspect", "oci:" + out.resolve("oci") + ":" + tag)
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String inspect = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).as(inspect).isZero();
    assertThat(JSON.readTree(inspect).get("Architecture").asString()).isEqualTo("amd64");
  }

  @Test
  @Order(3)
  void pushedImageComesBackThroughSkopeoAndPull() throws Exception {
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo is not installed");
    try (LocalRegistry registry = LocalRegistry.start(scratch.resolve("registry"))) {
      String ref = registry.address() + "/kairos/debian:v1.0.0";
      CliRunner push = CliRunner.run("push", "--root", result.get("rootfs").asString(),
          "--base", "dir:" + scratch.resolve("base"), ref, "--json");
      assertThat(push.exit()).as(push.err()).isZero();
      String digest = JSON.readTree(push.out()).get("digest").asString();

      Process p = new ProcessBuilder("skopeo", "copy", "--src-tls-verify=false", "docker://" + ref,
          "oci:" + scratch.resolve("skopeo-oci") + ":copied").redirectErrorStream(true).start();
      assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
      String log = new String(p.getInputStream().readAllBytes());
      assertThat(p.exitValue()).as(log).isZero();
      assertThat(Files.readString(scratch.resolve("skopeo-oci/index.json"))).contains(digest);

      Path pulled = scratch.resolve("pulled");
      CliRunner pull = CliRunner.run("pull", ref, "--to", pulled.toString());
      assertThat(pull.exit()).as(pull.err()).isZero();
      assertThat(pulled.resolve("etc/kairos-release")).content().contains("KAIROS_VERSION=\"v1.0.0\"");
      assertThat(inImage(pulled, "boot/vmlinuz")).isTrue();
    }
  }

  @Test
  @Order(4)
  void isoBootsUnderOvmfToTheMarker() throws Exception {
    assumeTrue(QemuBoot.available(false), "qemu-system-x86_64 or OVMF is not installed");
    QemuBoot.Result r = QemuBoot.builder(Files.createDirectories(scratch.resolve("qemu")))
        .cdrom(out.resolve("kairos.iso")).marker(MARKER).memoryMiB(2048)
        .timeout(Duration.ofMinutes(12)).build().run();
    assertThat(r.outcome()).as(r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
  }
}
