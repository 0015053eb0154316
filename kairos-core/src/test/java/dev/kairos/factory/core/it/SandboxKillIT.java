package dev.kairos.factory.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.api.io.MountTable;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A build killed outright: a child JVM runs a long maintainer-like step in the cached Debian
 * root through the sandbox runner and gets SIGKILL in the middle (what the OOM killer or a CI
 * job's hard timeout does). Five seconds later nothing of the image runs any more and no mount is
 * left under the work directory. With SIGTERM the same holds at once, and the image's own files
 * are back in place.
 */
@Timeout(300)
class SandboxKillIT {
  private static Path dir;
  private static RootFs root;

  @BeforeAll
  static void extract() throws Exception {
    DebianFixture.assumeUsable();
    dir = Scratch.create("sandbox-kill-it");
    root = DebianFixture.extract(DebianFixture.minbaseTarball(), dir.resolve("root"));
  }

  @AfterAll
  static void delete() throws Exception {
    if (dir != null) {
      assertThat(Scratch.delete(dir)).as("mounts leaked below the test root").isEmpty();
    }
  }

  /** The child: runs a step that never ends on its own in the root given, until it is killed. */
  public static void main(String[] args) throws Exception {
    RootFs rootFs = RootFs.at(Path.of(args[0]));
    String daemon = args[1];
    String step = args[2];
    CommandResult r = Runners.chroot().run(rootFs, Command.builder("/bin/sh", "-c",
            // Like a postinst: query dpkg, start a daemon that leaves the command's tree, then work on.
            "dpkg-query -W dpkg >/dev/null && (setsid sleep " + daemon + " >/dev/null 2>&1 &) ; echo started; exec sleep "
                + step)
        .timeout(Duration.ofMinutes(10))
        .output(e -> {
          if (e instanceof KairosEvent.CommandOutput o) {
            System.out.println(o.line());
            System.out.flush();
          }
        })
        .build());
    System.out.println("finished " + r.exitCode());
  }

  /** The child JVM, once its step runs in the sandbox (daemon and step both alive). */
  private static Process startChild(String daemon, String step) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        SandboxKillIT.class.getName(), root.root().toString(), daemon, step)
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    StringBuilder seen = new StringBuilder();
    while ((line = out.readLine()) != null && !line.equals("started")) {
      seen.append(line).append('\n');
    }
    assertThat(line).as("the child's output: %s", seen).isEqualTo("started");
    assertThat(HostProcesses.awaitArgument(daemon)).as("the daemon runs").isNotEmpty();
    assertThat(HostProcesses.awaitArgument(step)).as("the step runs").isNotEmpty();
    assertThat(root.exists(ImagePath.of("/usr/sbin/policy-rc.d"))).isTrue();
    assertThat(MountTable.mountsBelow(dir)).as("mounts the host sees while the step runs").isEmpty();
    return child;
  }

  @Test
  void sigkillOfTheBuildLeavesNoProcessOfTheImageAndNoMount() throws Exception {
    String daemon = HostProcesses.marker();
    String step = HostProcesses.marker();
    Process child = startChild(daemon, step);
    try {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(128 + 9);
      Thread.sleep(5_000);

      assertThat(HostProcesses.withArgument(daemon)).as("the daemon outlived the build").isEmpty();
      assertThat(HostProcesses.withArgument(step)).as("the step outlived the build").isEmpty();
      assertThat(MountTable.mountsBelow(dir)).as("mounts under the work directory").isEmpty();
    } finally {
      child.destroyForcibly();
    }
    // The files swapped in stay (no code ran after SIGKILL); the next run puts the image's back.
    assertThat(root.readString(ImagePath.of("/usr/sbin/policy-rc.d"))).contains("exit 101");
    CommandResult next = Runners.chroot().run(root, Command.shell("echo next"));
    assertThat(next.outputTail()).isEqualTo("next");
    assertThat(root.exists(ImagePath.of("/usr/sbin/policy-rc.d"))).as("policy-rc.d left by the killed run").isFalse();
  }

  @Test
  void sigtermOfTheBuildStopsTheSandboxAndPutsTheImagesFilesBack() throws Exception {
    String daemon = HostProcesses.marker();
    String step = HostProcesses.marker();
    Process child = startChild(daemon, step);
    try {
      child.destroy(); // SIGTERM: the shutdown hook runs
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(128 + 15);
      // No wait: by the time the JVM has exited, the hook has killed the sandbox and restored the files.
      assertThat(HostProcesses.withArgument(daemon)).as("the daemon outlived the build").isEmpty();
      assertThat(HostProcesses.withArgument(step)).as("the step outlived the build").isEmpty();
      assertThat(MountTable.mountsBelow(dir)).as("mounts under the work directory").isEmpty();
      assertThat(root.exists(ImagePath.of("/usr/sbin/policy-rc.d"))).as("policy-rc.d after SIGTERM").isFalse();
    } finally {
      child.destroyForcibly();
    }
  }
}
