package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.ElfStub;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.oci.api.PlatformImage;
import dev.kairos.factory.oci.testing.LocalRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code build --platform linux/amd64,linux/arm64 --push REF} against Debian's docker-registry on
 * 127.0.0.1: from a multi-platform base (an amd64 and an arm64 root, each with its own ELF
 * {@code /bin/sh} and dpkg architecture), both platforms built in turn (the steps that need packages
 * or a chroot skipped, so it takes seconds), one OCI image index pushed; skopeo sees both platforms,
 * skopeo's arm64 copy and our {@code pull --platform linux/arm64} give the same tree, and
 * {@code detect} says arm64 on it.
 */
class MultiPlatformIT {
  static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir static Path shared;
  static LocalRegistry registry;
  static String repo;

  @BeforeAll
  static void startRegistryAndPushAMultiPlatformBase() throws Exception {
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    registry = LocalRegistry.start(shared.resolve("registry"));
    repo = registry.address() + "/kairos/multi";
    for (String arch : List.of("amd64", "arm64")) {
      Path root = shared.resolve("base-" + arch);
      RootFs fs = RootFs.at(Files.createDirectories(root));
      fs.writeString(ImagePath.of("/etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
      fs.writeString(ImagePath.of("/var/lib/dpkg/arch"), arch + "\n");
      fs.writeString(ImagePath.of("/etc/kairos-release"), "KAIROS_TARGETARCH=\"" + arch + "\"\n");
      ElfStub.write(fs, ImagePath.of("/usr/bin/sh"), arch.equals("arm64") ? ElfStub.EM_AARCH64 : ElfStub.EM_X86_64);
      Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
      CliRunner push = CliRunner.run("push", "--root", root.toString(), "--base", "dir:" + root, repo + ":base-" + arch);
      assertThat(push.exit()).as(push.err()).isZero();
    }
    OciTarget.registry(repo + ":base").writeIndex(
        List.of(PlatformImage.existing("base-amd64"), PlatformImage.existing("base-arm64")), EventListener.NONE);
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  /** Every step but the release file: what is left runs in Java, in seconds. */
  private static String quickSkips() {
    return Arrays.stream(Step.values()).filter(s -> !s.isPhase() && s != Step.KAIROS_RELEASE)
        .map(Step::id).collect(Collectors.joining(","));
  }

  @Test
  void bothPlatformsArePushedAsOneIndexAndEachIsPulledByPlatform(@TempDir Path tmp) throws Exception {
    long start = System.nanoTime();
    String ref = repo + ":v1.0.0";
    CliRunner build = CliRunner.run("build", "--from", repo + ":base", "--platform", "linux/amd64,linux/arm64",
        "-v", "v1.0.0", "--skip-step", quickSkips(), "--push", ref, "--work", tmp.resolve("work").toString(), "--json");
    assertThat(build.exit()).as(build.err()).isZero();
    JsonNode result = JSON.readTree(build.out());
    assertThat(result.get("platforms").valueStream().map(p -> p.get("release").get("KAIROS_ARCH").asString()))
        .containsExactly("amd64", "arm64");
    // Each platform's build reports its own step times, as a single build does.
    assertThat(result.get("platforms").valueStream().map(p -> p.get("steps").size())).allMatch(n -> n > 0);

    JsonNode index = JSON.readTree(run(tmp, "skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref));
    assertThat(index.get("mediaType").asString()).isEqualTo("application/vnd.oci.image.index.v1+json");
    assertThat(index.get("manifests").valueStream()
        .map(m -> m.get("platform").get("os").asString() + "/" + m.get("platform").get("architecture").asString()))
        .containsExactlyInAnyOrder("linux/amd64", "linux/arm64");

    // skopeo's pick of the arm64 image, unpacked by umoci, and ours.
    run(tmp, "skopeo", "copy", "--override-arch", "arm64", "--src-tls-verify=false", "docker://" + ref,
        "oci:" + tmp.resolve("skopeo") + ":arm64");
    run(tmp, "umoci", "unpack", "--image", tmp.resolve("skopeo") + ":arm64", tmp.resolve("bundle").toString());
    CliRunner pull = CliRunner.run("pull", ref, "--platform", "linux/arm64", "--to", tmp.resolve("ours").toString());
    assertThat(pull.exit()).as(pull.err()).isZero();
    Map<String, String> ours = tree(tmp.resolve("ours"));
    assertThat(ours).containsKey("/usr/bin/sh").containsEntry("/var/lib/dpkg/arch", "file " + sha256("arm64\n"));
    assertThat(ours).isEqualTo(tree(tmp.resolve("bundle/rootfs")));
    assertThat(detect(tmp.resolve("ours")).get("KAIROS_ARCH").asString()).isEqualTo("arm64");

    // Without --platform, this machine's (the test machine is amd64).
    CliRunner pullHost = CliRunner.run("pull", ref, "--to", tmp.resolve("host").toString());
    assertThat(pullHost.exit()).as(pullHost.err()).isZero();
    assertThat(detect(tmp.resolve("host")).get("KAIROS_ARCH").asString())
        .isEqualTo(dev.kairos.factory.core.api.distro.Architecture.host().id());

    // build --from the index picks the platform asked for.
    CliRunner plan = CliRunner.run("build", "--from", ref, "--platform", "linux/arm64", "-v", "v1.0.1", "--dry-run");
    assertThat(plan.exit()).as(plan.err()).isZero();
    assertThat(plan.out()).startsWith("Kairos build of debian 12 (debian, arm64");
    System.out.printf("MultiPlatformIT: %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }

  private static JsonNode detect(Path root) throws Exception {
    CliRunner d = CliRunner.run("detect", "--root", root.toString(), "--json");
    assertThat(d.exit()).as(d.err()).isZero();
    return JSON.readTree(d.out());
  }

  /** Each entry by path: its type, and a regular file's SHA-256 or a link's target. */
  private static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(p -> !p.equals(root)).toList()) {
        String name = "/" + root.relativize(p);
        if (Files.isSymbolicLink(p)) {
          m.put(name, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          m.put(name, "dir");
        } else {
          m.put(name, "file " + sha256(Files.readAllBytes(p)));
        }
      }
    }
    return m;
  }

  private static String sha256(String text) throws Exception {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String run(Path dir, String... argv) throws Exception {
    Path log = dir.resolve("cmd.log");
    Process p = new ProcessBuilder(argv).redirectErrorStream(false).redirectError(log.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", argv) + ": " + Files.readString(log)).isZero();
    return out;
  }
}
