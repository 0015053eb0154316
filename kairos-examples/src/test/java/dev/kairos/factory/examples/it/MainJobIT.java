package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.examples.cli.CliRunner;
import dev.kairos.factory.oci.testing.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's main job, end to end, as root: {@code build} from the cached debootstrapped Debian
 * base (made on a cold cache) with a stage extension that prints a marker at boot, to an OCI
 * layout and an ISO ({@link MainJob}, shared with the server's end-to-end test); then the ISO
 * boots under QEMU + OVMF to that marker, and skopeo reads the layout we wrote.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(MainJob.Shared.class)
class MainJobIT {
  static final JsonMapper JSON = JsonMapper.builder().build();

  static Path scratch;
  static Path out;
  static JsonNode result;

  @BeforeAll
  static void build(MainJob job) {
    scratch = job.scratch;
    out = job.out;
    result = job.result;
  }

  static boolean inImage(Path root, String path) {
    return Files.exists(root.resolve(path), LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  @Order(1)
  void reportsNameArtifactsAndAValidImage() throws Exception {
    assertThat(result.get("name").asString()).isEqualTo(MainJob.NAME);
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
    MainJob.assertBootsToMarker(out.resolve("kairos.iso"), scratch.resolve("qemu"));
  }

  @Test
  @Order(5)
  void everyRootVerbWorksOnTheBuiltImage() throws Exception {
    String root = result.get("rootfs").asString();
    Path verbs = Files.createDirectories(scratch.resolve("verbs"));

    JsonNode facts = JSON.readTree(CliRunner.run("detect", "--root", root, "--json").out());
    assertThat(facts.get("KAIROS_FLAVOR").asString()).isEqualTo("debian");
    assertThat(facts.get("KAIROS_FLAVOR_RELEASE").asString()).isEqualTo("12");
    assertThat(facts.get("INIT_SYSTEM").asString()).isEqualTo("systemd");
    assertThat(CliRunner.run("name", "--root", root).out().trim()).isEqualTo(result.get("name").asString());
    // Without --framework the Kairos binaries are missing, and only they: validate says so, exit 1,
    // and the same as the build reported.
    CliRunner validate = CliRunner.run("validate", "--root", root, "--json");
    assertThat(validate.exit()).as(validate.out() + validate.err()).isEqualTo(1);
    JsonNode report = JSON.readTree(validate.out());
    assertThat(report).isEqualTo(result.get("validation"));
    report.get("failures").forEach(f -> assertThat(f.asString()).containsAnyOf("immucore", "kairos-agent", "kcrypt"));

    CliRunner initrd = CliRunner.run("initrd", "--root", root, "-o", verbs.resolve("initrd").toString(),
        "--level", "3", "--exclude", "/boot", "--json");
    assertThat(initrd.exit()).as(initrd.err()).isZero();
    assertThat(host("sh", "-c", "zstd -dc " + verbs.resolve("initrd") + " | cpio -it --quiet | grep -c '^etc/kairos-release$'"))
        .isEqualTo("1");

    CliRunner genkey = CliRunner.run("genkey", "kairos-e2e", "-o", verbs.resolve("keys").toString(), "--json");
    assertThat(genkey.exit()).as(genkey.err()).isZero();
    Path uki = verbs.resolve("kairos.efi");
    CliRunner buildUki = CliRunner.run("build-uki", "--root", root, "-o", uki.toString(),
        "--keys", verbs.resolve("keys").toString(), "--work", verbs.resolve("uki-work").toString(), "--json");
    assertThat(buildUki.exit()).as(buildUki.err()).isZero();
    assertThat(host("sbverify", "--cert", verbs.resolve("keys/db.pem").toString(), uki.toString()))
        .contains("Signature verification OK");

    Path disk = verbs.resolve("kairos.raw");
    CliRunner buildDisk = CliRunner.run("build-disk", "--root", root, "-o", disk.toString(),
        "--work", verbs.resolve("disk-work").toString(), "--json");
    assertThat(buildDisk.exit()).as(buildDisk.err()).isZero();
    assertThat(host("sfdisk", "--json", disk.toString())).contains("\"label\": \"gpt\"", "\"name\": \"efi\"", "\"name\": \"oem\"", "\"name\": \"recovery\"");
    Files.delete(disk);

    CliRunner netboot = CliRunner.run("netboot", "--root", root, "-o", verbs.resolve("netboot").toString(), "--json");
    assertThat(netboot.exit()).as(netboot.err()).isZero();
    List<String> kinds = new ArrayList<>();
    JSON.readTree(netboot.out()).get("files").forEach(f -> kinds.add(f.get("kind").asString()));
    assertThat(kinds).contains("kernel", "initrd", "squashfs");
  }

  /** Runs a host tool and returns its trimmed output; fails the test on a non-zero exit. */
  private static String host(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as(String.join(" ", argv)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", argv) + "\n" + output).isZero();
    return output.trim();
  }
}
