package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.oci.testing.LocalRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code self-image --push REF}, run from the CLI jar as a user runs it (so the jar in the image
 * is the running one), from the cached Debian minbase fixture ({@code --from dir:}, so nothing is
 * bootstrapped; the JRE and tools come from Debian's mirror, their package files kept in the test
 * cache), pushed to Debian's docker-registry on 127.0.0.1. skopeo reads it back: the digest the
 * verb printed, the entrypoint, PATH and labels. Pulled by our {@code pull}, the image runs
 * {@code kairos-factory --version} under {@code chroot} in namespaces of its own with a
 * {@code /proc} (as a container would have; the JRE finds its libraries through it): no container
 * engine. A second build into an OCI layout gives the same manifest digest.
 */
@Tag("slow") // two builds of a 535 MiB image: 294 to 388 s on the loaded 2-core machine (one alone 3 to 4 minutes); runs with -Pslow
class SelfImageIT {
  static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir static Path shared;
  static LocalRegistry registry;
  static String reference;
  static JsonNode pushed;
  static long buildMillis;

  @BeforeAll
  static void buildAndPush() throws Exception {
    DebianFixture.assumeUsable();
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")), "needs skopeo");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "needs unshare (util-linux)");
    assumeTrue(Files.isRegularFile(jar()), "needs the CLI jar (mvn package)");
    DebianFixture.extract(DebianFixture.minbaseTarball(), shared.resolve("base"));
    registry = LocalRegistry.start(shared.resolve("registry"));
    reference = registry.address() + "/kairos/kairos-factory:" + SelfImageCommand.version();
    long start = System.nanoTime();
    pushed = JSON.readTree(selfImage("work-1", "--push", reference));
    buildMillis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("SelfImageIT: build and push %d ms%n", buildMillis);
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void thePushedImageReadsBackAndRunsKairosFactory(@TempDir Path tmp) throws Exception {
    long start = System.nanoTime();
    String digest = pushed.get("digest").asString();
    assertThat(digest).startsWith("sha256:");
    assertThat(pushed.get("reference").asString()).isEqualTo(reference + "@" + digest);
    assertThat(pushed.get("size").asLong()).isGreaterThan(50L << 20);

    JsonNode inspect = JSON.readTree(run(tmp, "skopeo", "inspect", "--tls-verify=false", "docker://" + reference));
    assertThat(inspect.get("Digest").asString()).isEqualTo(digest);
    assertThat(inspect.get("Labels").get("org.opencontainers.image.version").asString())
        .isEqualTo(SelfImageCommand.version());
    JsonNode config = JSON.readTree(run(tmp, "skopeo", "inspect", "--config", "--tls-verify=false",
        "docker://" + reference)).get("config");
    assertThat(config.get("Entrypoint").valueStream().map(JsonNode::asString)).containsExactly("kairos-factory");
    assertThat(config.get("Env").valueStream().map(JsonNode::asString)).contains("PATH=" + SelfImageCommand.PATH);

    Path root = tmp.resolve("root");
    CliRunner pull = CliRunner.run("pull", reference, "--to", root.toString());
    assertThat(pull.exit()).as(pull.err()).isZero();
    assertThat(root.resolve("usr/share/kairos-factory/kairos-factory.jar")).hasSameBinaryContentAs(jar());
    for (String tool : List.of("usr/bin/java", "usr/bin/mmdebstrap", "usr/bin/bwrap", "usr/bin/mksquashfs",
        "usr/sbin/mke2fs", "usr/bin/grub-mkimage", "usr/lib/grub/x86_64-efi", "usr/lib/grub/i386-pc")) {
      assertThat(root.resolve(tool)).as(tool).exists();
    }
    // The entrypoint on the image's PATH, in namespaces of its own with a /proc, as a pod runs it.
    String version = run(tmp, "unshare", "--mount", "--pid", "--fork", "--mount-proc=" + root.resolve("proc"),
        "chroot", root.toString(), "/usr/bin/env", "PATH=" + SelfImageCommand.PATH, "kairos-factory", "--version");
    assertThat(version.strip()).isEqualTo("kairos-factory " + SelfImageCommand.version());
    System.out.printf("SelfImageIT: read back and run %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }

  /** A second build of the same inputs, into an OCI layout: the same manifest as the pushed one. */
  @Test
  void aSecondBuildGivesTheSameDigest() throws Exception {
    long start = System.nanoTime();
    JsonNode layout = JSON.readTree(selfImage("work-2", "-o", shared.resolve("layout").toString()));
    assertThat(layout.get("digest").asString()).isEqualTo(pushed.get("digest").asString());
    System.out.printf("SelfImageIT: second build %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }

  private static Path jar() {
    return Path.of("target/kairos-factory.jar").toAbsolutePath();
  }

  /** {@code java -jar kairos-factory.jar self-image ... --json} in a child JVM; its standard output. */
  private static String selfImage(String work, String... target) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar().toString(), "self-image", "--from", "dir:" + shared.resolve("base"),
        "--work", shared.resolve(work).toString(),
        "--cache", DebianFixture.cacheDir().resolve("cli-cache").toString(), "--json"));
    cmd.addAll(List.of(target));
    return run(shared, cmd.toArray(String[]::new));
  }

  /** Runs {@code cmd} (up to 30 minutes: a cold package cache downloads the JRE); its standard output. */
  private static String run(Path dir, String... cmd) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(30, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", cmd));
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + Files.readString(err, StandardCharsets.UTF_8)
        + stdout).isZero();
    return stdout;
  }
}
