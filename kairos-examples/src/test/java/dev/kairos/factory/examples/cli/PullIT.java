package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.examples.testsupport.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SIGTERM to a real pull leaves no partial {@code --to}; the next pull removes what it left and succeeds. */
class PullIT {
  @TempDir Path tmp;

  @Test
  void anInterruptedPullLeavesNoToAndTheNextOneCleansUp() throws Exception {
    Path src = TestSupport.bigRoot(tmp.resolve("src"), 512);
    Path dest = Files.createDirectories(tmp.resolve("dest"));
    Path to = dest.resolve("rootfs");
    Process pull = ChildCli.start(tmp.resolve("logs"), "pull", "pull", "dir:" + src, "--to", to.toString(), "--no-cache");
    TestSupport.await("the pull's scratch directory", 60, () -> {
      try (var s = Files.list(dest)) {
        return s.anyMatch(p -> p.getFileName().toString().startsWith(".kairos-pull-"));
      } catch (java.io.IOException e) {
        return false;
      }
    });
    assertThat(pull.isAlive()).isTrue();
    pull.destroy(); // SIGTERM
    assertThat(pull.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(to).doesNotExist();

    CliRunner again = CliRunner.run("pull", "dir:" + src, "--to", to.toString(), "--no-cache");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(to.resolve("noise")).hasSize(512L << 20);
    assertThat(ChildCli.names(dest)).containsExactly("rootfs");
  }
}
