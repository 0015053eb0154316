package dev.kairos.factory.core.api.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessTreeTest {
  /** Starts {@code script} under sh and waits (bounded) until it has {@code depth} generations of descendants. */
  private static Process start(String script, int depth) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (generations(p.toHandle()) < depth) {
      assertThat(System.nanoTime()).as("descendants of '%s' did not start", script).isLessThan(deadline);
      Thread.sleep(10);
    }
    return p;
  }

  private static int generations(ProcessHandle h) {
    return h.children().mapToInt(c -> 1 + generations(c)).max().orElse(0);
  }

  @Test
  void killsTheWholeTree() throws Exception {
    Process p = start("sh -c 'sleep 600' & sleep 600 & wait", 2);
    List<ProcessHandle> tree = new ArrayList<>(p.toHandle().descendants().toList());
    tree.add(p.toHandle());
    ProcessTree.kill(p.toHandle());
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    for (ProcessHandle h : tree) {
      h.onExit().get(10, TimeUnit.SECONDS);
      assertThat(h.isAlive()).as("pid %d", h.pid()).isFalse();
    }
  }

  @Test
  void aShellDoesNotLiveToReportItsChildsDeath() throws Exception {
    // Were the child killed first, sh could run on for a moment and print; the parent goes first.
    for (int i = 0; i < 20; i++) {
      Process p = start("sleep 600; echo after-child-$?", 1);
      ProcessTree.kill(p.toHandle());
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(output(p)).as("round %d", i).isEmpty();
    }
  }

  private static String output(Process p) throws IOException {
    return new String(p.getInputStream().readAllBytes()).strip();
  }
}
