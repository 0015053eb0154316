package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import dev.kairos.factory.examples.cli.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The step cache through the CLI on the cached debootstrapped base: a cold build fills it; the same
 * build again reuses every step (and the OCI layer packed from the same root) and gives the same OCI
 * digest; a changed after-init stage extension runs exactly that extension; a damaged entry is
 * dropped and rebuilt; cache
 * ls and prune see the entries ({@code --refresh} is in {@code PipelineStepCacheTest}). The kernel and initrd are skipped (their time is not what the
 * cache is about); apt's downloads are shared with the other builds' fixtures.
 */
@Tag("slow") // four builds on a cold step cache: see the README for its time; runs with -Pslow
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StepCacheIT {
  static final JsonMapper JSON = JsonMapper.builder().build();
  static Path scratch;
  static Path base;
  static Path cache;
  static Path extensions;
  static JsonNode cold;
  static String lastErr;

  @BeforeAll
  static void coldBuild() throws Exception {
    DebianFixture.assumeUsable();
    scratch = Scratch.create("step-cache");
    base = scratch.resolve("base");
    DebianFixture.extract(DebianFixture.minbaseTarball(), base);
    cache = Files.createDirectories(scratch.resolve("cache"));
    Path archives = Files.createDirectories(DebianFixture.cacheDir().resolve("cli-cache").resolve("apt-archives"));
    Files.createSymbolicLink(cache.resolve("apt-archives"), archives);
    extensions = Files.createDirectories(scratch.resolve("extensions"));
    writeExtension("after-install", "/etc/step-cache-install", "install");
    writeExtension("after-init", "/etc/step-cache-init", "one");
    cold = build("cold");
    assertThat(cold.at("/stepCache/reused")).isEmpty();
    assertThat(cold.at("/stepCache/saved").size()).isGreaterThanOrEqualTo(3);
  }

  @Test
  @Order(1)
  void theSameBuildAgainReusesEveryStepAndGivesTheSameImage() throws Exception {
    JsonNode again = build("again");
    assertThat(again.at("/stepCache/ran")).as("steps run on a warm cache").isEmpty();
    assertThat(names(again.at("/stepCache/reused"))).isEqualTo(names(cold.at("/stepCache/ran")));
    assertThat(again.at("/stepCache/key").asString()).isEqualTo(cold.at("/stepCache/key").asString());
    assertThat(digest(again)).isEqualTo(digest(cold));
    assertThat(lastErr).as("the OCI layer kept under the same final key").contains("reused the layer packed from");
    assertThat(lastErr).as("apt's indexes unchanged: the dry run's result kept; the install phase restored: its lock")
        .contains("step cache: reused the dry run of", "step cache: reused the lock kept with");
    assertThat(Files.readString(Path.of(again.get("lock").asString())))
        .isEqualTo(Files.readString(Path.of(cold.get("lock").asString())));
  }

  @Test
  @Order(2)
  void aChangedAfterInitExtensionRunsExactlyThatExtension() throws Exception {
    writeExtension("after-init", "/etc/step-cache-init", "two");
    try {
      JsonNode changed = build("changed");
      List<String> reused = names(changed.at("/stepCache/reused"));
      List<String> ran = names(changed.at("/stepCache/ran"));
      assertThat(reused).contains("installPackages", "extensions:after-install", "kairosRelease", "cleanup");
      assertThat(ran).containsExactly("extensions:after-init");
      assertThat(Files.readString(Path.of(changed.get("rootfs").asString()).resolve("etc/step-cache-init")))
          .isEqualTo("two\n");
      assertThat(digest(changed)).isNotEqualTo(digest(cold));
    } finally {
      writeExtension("after-init", "/etc/step-cache-init", "one");
    }
  }

  @Test
  @Order(3)
  void aDamagedEntryIsDroppedAndRebuiltNeverUsed() throws Exception {
    // damage the after-init extensions' layer in place, keeping its size: the init phase's end
    // builds on it, so the root as it was before the extensions is restored and they run and save anew
    Path steps = cache.resolve("steps");
    String layer = null;
    for (String key : names(cold.at("/stepCache/saved"))) { // the cold build's chain, not the changed one's
      JsonNode n = JSON.readTree(Files.readString(steps.resolve("entries").resolve(key + ".json")));
      if (names(n.get("steps")).contains("extensions:after-init")) {
        layer = n.get("layer").asString();
      }
    }
    assertThat(layer).as("an entry holds the after-init extensions").isNotNull();
    Path blob = steps.resolve("blobs/sha256").resolve(layer.substring("sha256:".length()));
    byte[] data = Files.readAllBytes(blob);
    data[data.length / 2] ^= 0x5a;
    Files.write(blob, data);
    JsonNode rebuilt = build("rebuilt");
    assertThat(names(rebuilt.at("/stepCache/ran"))).containsExactly("extensions:after-init");
    assertThat(digest(rebuilt)).isEqualTo(digest(cold));
    JsonNode warm = build("warm");
    assertThat(warm.at("/stepCache/ran")).isEmpty();
    assertThat(digest(warm)).isEqualTo(digest(cold));
  }

  @Test
  @Order(4)
  void cacheLsListsTheEntriesAndPruneEmptiesIt() throws Exception {
    CliRunner ls = CliRunner.run("cache", "ls", "--cache", cache.toString(), "--json");
    assertThat(ls.exit()).as(ls.err()).isZero();
    assertThat(JSON.readTree(ls.out()).get("entries").size()).isGreaterThanOrEqualTo(3);
    CliRunner prune = CliRunner.run("cache", "prune", "--cache", cache.toString(), "--max-size", "0", "--json");
    assertThat(prune.exit()).as(prune.err()).isZero();
    assertThat(JSON.readTree(prune.out()).get("remaining").asInt()).isZero();
  }

  // ------------------------------------------------------------------ helpers

  private static void writeExtension(String stage, String path, String content) throws Exception {
    Files.writeString(extensions.resolve("10-" + stage + ".yaml"), String.join("\n",
        "stages:",
        "  " + stage + ":",
        "    - name: step cache " + stage,
        "      files:",
        "        - path: " + path,
        "          permissions: 0644",
        "          content: |",
        "            " + content,
        ""));
  }

  private static JsonNode build(String name, String... extra) throws Exception {
    long start = System.nanoTime();
    List<String> args = new ArrayList<>(List.of("build", "--from", "dir:" + base, "--version", "v1.0.0",
        "--skip-step", "installKernel,kernel,initrd", "-x", extensions.toString(), "--cache", cache.toString(),
        "--work", scratch.resolve("work-" + name).toString(),
        "--oci-layout", scratch.resolve(name).resolve("oci").toString(), "--json"));
    args.addAll(List.of(extra));
    CliRunner r = CliRunner.run(args.toArray(String[]::new));
    lastErr = r.err();
    System.out.printf("StepCacheIT: build %s took %.1f s%n", name, (System.nanoTime() - start) / 1e9);
    assertThat(r.exit()).as(r.err()).isZero();
    return JSON.readTree(r.out());
  }

  private static List<String> names(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(n -> out.add(n.asString()));
    return out;
  }

  private static String digest(JsonNode result) {
    return result.get("artifacts").get(0).get("digest").asString();
  }
}
