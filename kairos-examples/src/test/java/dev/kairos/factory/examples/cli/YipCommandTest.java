package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code yip validate} and {@code yip apply} on real files, hostile ones included. */
class YipCommandTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path tmp;

  /**
   * The shape that was found: a file entry, a list of it, a step of that list, a list of that
   * step, and stages that all alias that list: 300^3 = 27 million files from 5 KB of YAML.
   */
  private Path aliasBomb() throws Exception {
    String files = String.join(",", Collections.nCopies(300, "*f"));
    String steps = String.join(",", Collections.nCopies(300, "*S"));
    StringBuilder b = new StringBuilder("x: &f {path: /tmp/lol, content: lol, permissions: 0644}\n")
        .append("fl: &F [").append(files).append("]\n")
        .append("st: &S {files: *F}\n")
        .append("sl: &L [").append(steps).append("]\n")
        .append("stages:\n");
    for (int i = 0; i < 300; i++) {
      b.append("  s").append(i).append(": *L\n");
    }
    return Files.writeString(tmp.resolve("bomb.yaml"), b);
  }

  private Path root() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
    Files.writeString(root.resolve("etc/shadow"), "root:*:19000:0:99999:7:::\n");
    return root;
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void anAliasBombIsRefusedNamingTheFileAndTheLimit() throws Exception {
    Path bomb = aliasBomb();
    CliRunner v = CliRunner.run("yip", "validate", bomb.toString(), "--json");
    assertThat(v.exit()).as(v.err()).isEqualTo(1);
    JsonNode f = JSON.readTree(v.out()).get("findings").get(0);
    assertThat(f.get("source").asString()).isEqualTo(bomb.toString());
    assertThat(f.get("message").asString()).contains("limit of 1000000 nodes");

    CliRunner a = CliRunner.run("yip", "apply", "--root", root().toString(), "--stage", "s0", bomb.toString());
    assertThat(a.exit()).isEqualTo(1);
    assertThat(a.err()).contains(bomb.toString(), "limit of 1000000 nodes").doesNotContain("OutOfMemory");
    assertThat(tmp.resolve("root/tmp/lol")).doesNotExist();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aTemplateBombStopsTheRunNamingTheFileAndTheLimit() throws Exception {
    Path root = root();
    Path growth = Files.writeString(tmp.resolve("growth.yaml"), String.join("\n", "stages:", "  boot:",
        "    - files:", "        - path: /etc/lol", "          permissions: 0644",
        "          content: '{{ repeat 100000 (repeat 100000 \"lol\") }}'", ""));
    CliRunner g = CliRunner.run("yip", "apply", "--root", root.toString(), "--stage", "boot", growth.toString());
    assertThat(g.exit()).isEqualTo(1);
    assertThat(g.err()).contains(growth + ":3:", "limit of 16 MiB").doesNotContain("OutOfMemory");

    Path loops = Files.writeString(tmp.resolve("loops.yaml"), String.join("\n", "stages:", "  boot:",
        "    - commands:", "        - '{{ range 100000 }}{{ range 100000 }}{{ end }}{{ end }}true'", ""));
    CliRunner l = CliRunner.run("yip", "apply", "--root", root.toString(), "--stage", "boot", "--dry-run",
        loops.toString());
    assertThat(l.exit()).isEqualTo(1);
    assertThat(l.err()).contains(loops + ":3:", "limit of 100000 iterations");
  }

  @Test
  void validateReportsEveryProblemOfEveryFileOfADirectory() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("ext"));
    Files.writeString(dir.resolve("10-syntax.yaml"), "stages:\n  boot:\n    - name: a\n      files: [\n");
    Files.writeString(dir.resolve("20-types.yaml"), String.join("\n", "stages:", "  boot:",
        "    - name: b", "      files: 3", "      users: [x]", "    - name: c", "      directories:",
        "        - path: /d", "          permissions: \"0755\"", ""));
    Files.writeString(dir.resolve("30-after.yaml"), String.join("\n", "name: later", "stages:", "  boot:",
        "    - name: d", "      after: [{name: nosuch.step}]", "      systctl: {a: b}", "    - name: e",
        "      after: [{name: other.missing}]", ""));

    CliRunner r = CliRunner.run("yip", "validate", dir.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    JsonNode n = JSON.readTree(r.out());
    assertThat(n.get("documents").asInt()).isEqualTo(3);
    List<String> lines = new ArrayList<>();
    n.get("findings").forEach(f -> lines.add(Path.of(f.get("source").asString()).getFileName() + ":"
        + f.get("line").asInt() + ": " + f.get("severity").asString() + ": " + f.get("message").asString()));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("10-syntax.yaml:").contains("YAML syntax error"))
        .anySatisfy(l -> assertThat(l).startsWith("20-types.yaml:4: error:").contains("files"))
        .anySatisfy(l -> assertThat(l).startsWith("20-types.yaml:5: error:").contains("users"))
        .anySatisfy(l -> assertThat(l).startsWith("20-types.yaml:9: error:").contains("permissions"))
        .anySatisfy(l -> assertThat(l).startsWith("30-after.yaml:4: error:").contains("nosuch.step"))
        .anySatisfy(l -> assertThat(l).startsWith("30-after.yaml:7: error:").contains("other.missing"))
        .anySatisfy(l -> assertThat(l).startsWith("30-after.yaml:6: warning:").contains("systctl"));

    // The syntax error is one line with file:line:column, without the parser's drawing of the spot.
    CliRunner human = CliRunner.run("yip", "validate", dir.resolve("10-syntax.yaml").toString());
    String first = human.out().lines().findFirst().orElseThrow();
    assertThat(first).matches(".*10-syntax\\.yaml:[0-9]+:[0-9]+: error: YAML syntax error: .*");
    assertThat(human.out().lines().count()).isEqualTo(2);
    assertThat(human.out()).doesNotContain("^");
  }

  @Test
  void applyOutsideABuildWritesTodayAsThePasswordChangeDay() throws Exception {
    Path root = root();
    Path users = Files.writeString(tmp.resolve("users.yaml"), String.join("\n", "stages:", "  boot:",
        "    - users:", "        alice:", "          passwd: secret", ""));
    long before = LocalDate.now(ZoneOffset.UTC).toEpochDay();
    CliRunner r = CliRunner.run("yip", "apply", "--root", root.toString(), "--stage", "boot", users.toString());
    long after = LocalDate.now(ZoneOffset.UTC).toEpochDay();
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    String alice = Files.readAllLines(root.resolve("etc/shadow")).stream().filter(l -> l.startsWith("alice:"))
        .findFirst().orElseThrow();
    long day = Long.parseLong(alice.split(":")[2]);
    String epoch = System.getenv("SOURCE_DATE_EPOCH");
    if (epoch != null && !epoch.isBlank()) {
      assertThat(day).isEqualTo(Instant.ofEpochSecond(Long.parseLong(epoch.trim())).getEpochSecond() / 86400);
    } else {
      assertThat(day).isBetween(before, after);
    }
  }
}
