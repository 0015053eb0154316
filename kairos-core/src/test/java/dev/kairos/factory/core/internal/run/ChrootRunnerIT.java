package dev.kairos.factory.core.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.MountTable;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.internal.fs.ProcessIdentity;
import dev.kairos.factory.core.it.HostProcesses;
import dev.kairos.factory.core.it.Scratch;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sandbox runner in a tiny root made of a static busybox: fast enough to try every path of
 * set-up and clean-up. A Debian root is exercised by {@code ChrootRunnerDebianIT}.
 */
@Timeout(120)
class ChrootRunnerIT {
  private static final List<String> APPLETS =
      List.of("sh", "echo", "cat", "sleep", "env", "pwd", "ls", "test", "readlink", "sort", "mount", "grep");

  private Path dir;
  private RootFs root;
  private final CommandRunner runner = Runners.chroot();

  @BeforeEach
  void makeRoot() throws Exception {
    assumeTrue(System.getProperty("os.name").startsWith("Linux") && ProcessIdentity.isRoot(), "needs root on Linux");
    assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static");
    dir = Scratch.create("chroot-it");
    Path r = Files.createDirectory(dir.resolve("root"));
    for (String d : List.of("bin", "etc", "usr/sbin", "tmp", "run")) {
      Files.createDirectories(r.resolve(d));
    }
    Files.copy(Path.of("/bin/busybox"), r.resolve("bin/busybox"));
    for (String a : APPLETS) {
      Files.createSymbolicLink(r.resolve("bin").resolve(a), Path.of("busybox"));
    }
    root = RootFs.at(r);
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (dir != null) {
      assertThat(Scratch.delete(dir)).as("mounts leaked below the test root").isEmpty();
    }
  }

  private void assertNothingLeft() throws Exception {
    assertThat(MountTable.mountsBelow(root.root())).isEmpty();
  }

  @Test
  void echoOkAndTheHostSeesNoMountEvenWhileItRuns() throws Exception {
    List<String> lines = new ArrayList<>();
    List<Path> mountsDuring = Collections.synchronizedList(new ArrayList<>());
    CommandResult r = runner.run(root, Command.builder("/bin/sh", "-c", "echo ok; ls /proc/self/fd >/dev/null && echo proc")
        .output(e -> {
          if (e instanceof KairosEvent.CommandOutput o) {
            lines.add(o.line());
            try {
              mountsDuring.addAll(MountTable.mountsBelow(root.root()));
            } catch (Exception ex) {
              throw new IllegalStateException(ex);
            }
          }
        }).build());

    assertThat(r.exitCode()).isZero();
    assertThat(lines).containsExactly("ok", "proc");
    assertThat(r.outputTail()).isEqualTo("ok\nproc");
    assertThat(mountsDuring).as("the sandbox's mounts live in its own namespace").isEmpty();
    assertNothingLeft();
  }

  @Test
  void failingCommandGivesItsExitCodeAndTail() throws Exception {
    CommandResult r = runner.run(root, Command.shell("echo first; echo oops >&2; exit 3"));
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.timedOut()).isFalse();
    assertThat(r.outputTail()).isEqualTo("first\noops");
    assertThatThrownBy(r::requireSuccess).hasMessageContaining("exit code 3").hasMessageContaining("oops");
    assertNothingLeft();
  }

  @Test
  void timeoutKillsTheWholeTree() throws Exception {
    long start = System.nanoTime();
    String a = HostProcesses.marker();
    String b = HostProcesses.marker();
    CommandResult r = runner.run(root, Command.builder("/bin/sh", "-c", "sleep " + a + " & sleep " + b + "; echo never")
        .timeout(Duration.ofSeconds(1)).build());
    assertThat(r.timedOut()).isTrue();
    assertThat(r.exitCode()).isEqualTo(-1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    assertThat(HostProcesses.withArgument(a)).isEmpty();
    assertThat(HostProcesses.withArgument(b)).isEmpty();
    assertNothingLeft();
  }

  @Test
  void daemonsLeftBehindDieWithTheSandbox() throws Exception {
    String daemon = HostProcesses.marker();
    CommandResult r = runner.run(root, Command.builder("/bin/sh", "-c",
        "(sleep " + daemon + " >/dev/null 2>&1 &); sleep 0.2; ls /proc | grep -c '^[0-9]'; echo started").build());
    assertThat(r.exitCode()).isZero();
    // The sandbox's own init, sh, the daemon, ls and grep: the host's processes are not listed.
    assertThat(Integer.parseInt(r.outputTail().lines().findFirst().orElseThrow())).isBetween(3, 6);
    assertThat(HostProcesses.withArgument(daemon)).as("a daemon of the image outlived its command").isEmpty();
    assertNothingLeft();
  }

  @Test
  void interruptStopsTheCommandAndUndoesTheMounts() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    String sleep = HostProcesses.marker();
    Thread t = new Thread(() -> {
      try {
        runner.run(root, Command.builder("/bin/sh", "-c", "echo started; sleep " + sleep)
            .output(e -> started.countDown()).build());
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    t.start();
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(HostProcesses.awaitArgument(sleep)).hasSize(1);
    long start = System.nanoTime();
    t.interrupt();
    t.join(30_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class);
    assertThat(HostProcesses.withArgument(sleep)).isEmpty();
    assertNothingLeft();
  }

  @Test
  void cleanEnvironmentStdinAndWorkingDirectory() throws Exception {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Files.createDirectories(root.root().resolve("tmp/work"));
    CommandResult r = runner.run(root, Command.builder("/bin/sh", "-c", "env | sort; pwd; cat")
        .env("FOO", "bar baz")
        .stdin("from stdin\n".getBytes(StandardCharsets.UTF_8))
        .workingDirectory("/tmp/work")
        .output(e -> lines.add(((KairosEvent.CommandOutput) e).line()))
        .build());
    assertThat(r.exitCode()).isZero();
    assertThat(lines).contains("FOO=bar baz", "HOME=/root", "LANG=C.UTF-8",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "/tmp/work", "from stdin");
    assertThat(lines).noneMatch(l -> l.startsWith("JAVA_HOME=") || l.startsWith("MAVEN"));
    assertNothingLeft();
  }

  @Test
  void missingWorkingDirectoryIsRefusedBeforeAnythingIsMounted() {
    assertThatThrownBy(() -> runner.run(root, Command.builder("/bin/sh", "-c", "true").workingDirectory("/nope").build()))
        .hasMessageContaining("/nope");
  }

  @Test
  void resolvConfAndPolicyRcDArePutInPlaceAndTheImagesOwnAreRestored() throws Exception {
    Path hostResolv = dir.resolve("host-resolv.conf");
    Files.writeString(hostResolv, "nameserver 192.0.2.53\n");
    root.createSymlink(ImagePath.of("/etc/resolv.conf"), "../run/systemd/resolve/stub-resolv.conf");
    root.writeString(ImagePath.of("/usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 0\n");
    CommandRunner r = Runners.chrootBuilder().resolvConf(hostResolv).build();

    CommandResult res = r.run(root, Command.shell("cat /etc/resolv.conf; /usr/sbin/policy-rc.d; echo rc=$?"));

    assertThat(res.outputTail()).isEqualTo("nameserver 192.0.2.53\nrc=101");
    assertThat(root.readSymlink(ImagePath.of("/etc/resolv.conf"))).isEqualTo("../run/systemd/resolve/stub-resolv.conf");
    assertThat(root.readString(ImagePath.of("/usr/sbin/policy-rc.d"))).isEqualTo("#!/bin/sh\nexit 0\n");
    assertThat(root.list(ImagePath.of("/etc"))).containsExactly("resolv.conf");
    assertThat(root.list(ImagePath.of("/usr/sbin"))).containsExactly("policy-rc.d");
    assertNothingLeft();
  }

  @Test
  void withoutServiceBlockingAndWithoutImageFilesNothingIsLeftBehind() throws Exception {
    CommandRunner r = Runners.chrootBuilder().blockServiceStarts(false).build();
    CommandResult res = r.run(root, Command.shell("test -e /usr/sbin/policy-rc.d && echo blocked; test -s /etc/resolv.conf && echo dns"));
    assertThat(res.outputTail()).isEqualTo("dns");
    assertThat(root.list(ImagePath.of("/etc"))).isEmpty();
    assertThat(root.list(ImagePath.of("/usr/sbin"))).isEmpty();
    assertNothingLeft();
  }

  @Test
  void aMountLeftByAKilledRunIsReportedNotStackedOn() throws Exception {
    root.createDirectories(ImagePath.of("/proc"));
    HostTool.run(Duration.ofSeconds(30), "mount", "--bind", "/proc", root.root().resolve("proc").toString());
    try {
      assertThatThrownBy(() -> runner.run(root, Command.shell("true")))
          .hasMessageContaining("/proc").hasMessageContaining("already a mount point");
      assertThat(MountTable.mountsBelow(root.root())).containsExactly(root.root().resolve("proc"));
    } finally {
      HostTool.run(Duration.ofSeconds(30), "umount", root.root().resolve("proc").toString());
    }
  }
}
