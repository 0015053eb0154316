package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code --parallel-downloads N} on {@code build} and {@code init}, through their dry runs: the
 * plan fetches each install's package files N at a time only when asked, and a bad N is refused.
 */
class ParallelDownloadsCommandTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String PREFETCH = "fetch the package files of the next install";
  @TempDir Path tmp;

  /** The prefetch actions of the plan that {@code verb --dry-run --json} printed, by step. */
  private static List<String> prefetches(CliRunner r) throws Exception {
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> out = new ArrayList<>();
    for (JsonNode s : JSON.readTree(r.out()).get("steps")) {
      for (JsonNode a : s.get("actions")) {
        if (a.asString().startsWith(PREFETCH)) {
          out.add(s.get("name").asString() + ": " + a.asString());
        }
      }
    }
    return out;
  }

  private CliRunner init(String... flags) throws Exception {
    Path root = tmp.resolve("root");
    if (!Files.exists(root)) {
      InitOptionsTest.debianRoot(root, InitOptionsTest.EM_X86_64);
    }
    List<String> args = new ArrayList<>(List.of("init", "--root", root.toString(), "-v", "1.0", "--dry-run", "--json"));
    args.addAll(List.of(flags));
    return CliRunner.run(args.toArray(String[]::new));
  }

  private CliRunner build(String... flags) throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src/etc"));
    Files.writeString(src.resolve("os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    List<String> args = new ArrayList<>(List.of("build", "--from", "dir:" + tmp.resolve("src"), "-v", "v1.0.0",
        "--dry-run", "--json", "--work", tmp.resolve("work").toString()));
    args.addAll(List.of(flags));
    return CliRunner.run(args.toArray(String[]::new));
  }

  @Test
  void offByDefaultAndOnePrefetchAnInstallWhenAsked() throws Exception {
    assertThat(prefetches(init())).isEmpty();
    assertThat(prefetches(init("--parallel-downloads", "0"))).isEmpty();
    assertThat(prefetches(init("--parallel-downloads", "6"))).containsExactly(
        "installPackages: " + PREFETCH + ", 6 at a time", "installKernel: " + PREFETCH + ", 6 at a time");
    assertThat(prefetches(build())).isEmpty();
    assertThat(prefetches(build("--parallel-downloads=16"))).containsExactly(
        "installPackages: " + PREFETCH + ", 16 at a time", "installKernel: " + PREFETCH + ", 16 at a time");
  }

  @Test
  void aCountOutsideOneToSixteenIsAUsageErrorNamingTheFlagAndTheValue() throws Exception {
    for (String n : List.of("17", "-1")) {
      CliRunner i = init("--parallel-downloads", n);
      assertThat(i.exit()).as(n).isEqualTo(2);
      assertThat(i.err()).contains("--parallel-downloads").contains("got " + n);
      CliRunner b = build("--parallel-downloads", n);
      assertThat(b.exit()).as(n).isEqualTo(2);
      assertThat(b.err()).contains("--parallel-downloads").contains("got " + n);
    }
    CliRunner word = init("--parallel-downloads", "many");
    assertThat(word.exit()).isEqualTo(2);
    assertThat(word.err()).contains("--parallel-downloads").contains("many");
  }

  @Test
  void theHelpOfBuildAndInitNamesIt() {
    for (String verb : List.of("build", "init")) {
      CliRunner r = CliRunner.run(verb, "--help");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).as(verb).contains("--parallel-downloads=N").contains("Default: 0, off.");
    }
  }
}
