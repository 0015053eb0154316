package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.run.HostProcess;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's jshell script, run by jshell with this build's class path, in its plan mode on the
 * cached Debian base: it resolves every class it imports against the real library, copies the
 * base into memory, prints the plan, and writes nothing. (The full build it does otherwise is the
 * main job, which {@link MainJobIT} runs through the CLI.)
 */
class JshellScriptIT {
  private Path scratch;

  @AfterEach
  void clean() throws Exception {
    if (scratch != null) {
      assertThat(Scratch.delete(scratch)).as("mounts left behind").isEmpty();
    }
  }

  @Test
  void scriptPlansTheMainJobOnTheDebianBase() throws Exception {
    DebianFixture.assumeUsable();
    Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
    assumeTrue(Files.isExecutable(jshell), "jshell is not in this JDK");
    scratch = Scratch.create("jshell-it");
    Path base = scratch.resolve("base");
    DebianFixture.extract(DebianFixture.minbaseTarball(), base);
    Path work = Files.createDirectories(scratch.resolve("work"));
    Path script = Path.of("jshell/build.jsh").toAbsolutePath();

    List<String> lines = new CopyOnWriteArrayList<>();
    HostProcess.run(List.of(jshell.toString(), "-R-Dkairos.work=" + work, "--class-path",
            System.getProperty("java.class.path"), script.toString()),
        Map.of("KAIROS_FROM", base.toString(), "KAIROS_PLAN", "1"), Duration.ofMinutes(10),
        e -> {
          if (e instanceof KairosEvent.CommandOutput o) {
            lines.add(o.line());
          }
        });

    String out = String.join("\n", lines);
    assertThat(out).as(out).contains("Kairos build of debian 12 (debian, amd64, systemd)",
        "options: version=v1.0.0 phase=all", "[install] installPackages", "[install] installKernel",
        "[init] kairosRelease", "[init] initrd").doesNotContain("Error:", "cannot find symbol", "Exception");
    // The plan copied the base into memory: nothing was written to the work directory.
    try (Stream<Path> s = Files.list(work)) {
      assertThat(s.toList()).as("files the plan left in the work directory").isEmpty();
    }
  }
}
