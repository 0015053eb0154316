package dev.kairos.factory.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.api.io.MountTable;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sandbox runner in a real debootstrapped Debian 12 root; the host never sees a mount of it. */
@Timeout(300)
class ChrootRunnerDebianIT {
  private static Path dir;
  private static RootFs root;
  private final CommandRunner runner = Runners.chroot();

  @BeforeAll
  static void extract() throws Exception {
    DebianFixture.assumeUsable();
    dir = Scratch.create("chroot-debian-it");
    root = DebianFixture.extract(DebianFixture.minbaseTarball(), dir.resolve("root"));
  }

  @AfterAll
  static void delete() throws Exception {
    if (dir != null) {
      assertThat(Scratch.delete(dir)).as("mounts leaked below the test root").isEmpty();
    }
  }

  private static void assertNoMountLeft() throws Exception {
    assertThat(MountTable.mountsBelow(root.root())).isEmpty();
  }

  @Test
  void echoOk() throws Exception {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    CommandResult r = runner.run(root, Command.builder("/bin/sh", "-c", "echo ok")
        .output(e -> lines.add(((KairosEvent.CommandOutput) e).line())).build());
    assertThat(r.exitCode()).isZero();
    assertThat(lines).containsExactly("ok");
    assertNoMountLeft();
  }

  @Test
  void debianToolsSeeProcDevAndTheResolvConf() throws Exception {
    CommandResult r = runner.run(root, Command.shell(
        "findmnt -n -o TARGET /proc; test -c /dev/null && echo devnull; test -d /dev/pts && echo pts; "
            + "grep -c nameserver /etc/resolv.conf; /usr/sbin/policy-rc.d; echo policy=$?; dpkg-query -W -f='${Version}' dpkg"));
    assertThat(r.exitCode()).isZero();
    assertThat(r.outputTail()).startsWith("/proc\ndevnull\npts\n").contains("policy=101").containsPattern("\\n1\\.21\\.");
    assertThat(root.exists(ImagePath.of("/usr/sbin/policy-rc.d"))).isFalse();
    assertNoMountLeft();
  }

  @Test
  void aMaintainerScriptSeesAMinimalDevAndCannotReachTheHostsDisks() throws Exception {
    String disk = hostBlockDevice();
    // What a careless or hostile postinst could try: list /dev, make the host disk's node, mount
    // a devtmpfs, and look around /proc.
    CommandResult r = runner.run(root, Command.shell(String.join("\n",
        "ls /dev | tr '\\n' ' '; echo",
        "mknod /tmp/hostdisk b " + disk.replace(':', ' ') + " && echo made-node",
        "if head -c 1 /tmp/hostdisk >/dev/null 2>&1; then echo READ-HOST-DISK; else echo no-read; fi",
        "rm -f /tmp/hostdisk",
        "mkdir -p /tmp/devs; if mount -t devtmpfs none /tmp/devs 2>/dev/null; then echo MOUNTED-DEVTMPFS; else echo no-mount; fi",
        "rmdir /tmp/devs",
        "echo procs $(ls /proc | grep -c '^[0-9]')",
        "mount | grep -c ' /sys .*ro,' ")));
    List<String> lines = r.outputTail().lines().toList();
    assertThat(r.exitCode()).as(r.outputTail()).isZero();
    assertThat(lines.get(0).split(" ")).containsExactlyInAnyOrder(
        "core", "fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero");
    assertThat(lines).contains("made-node", "no-read", "no-mount").doesNotContain("READ-HOST-DISK", "MOUNTED-DEVTMPFS");
    // The sandbox's init, the shell, ls and grep: none of the host's processes.
    assertThat(lines).anySatisfy(l -> assertThat(l).matches("procs [2-5]"));
    assertThat(lines.get(lines.size() - 1)).isEqualTo("1");
    assertNoMountLeft();
  }

  /** MAJOR:MINOR of a disk of the host (not a loop or zram device), from /sys/block. */
  private static String hostBlockDevice() throws Exception {
    try (var disks = java.nio.file.Files.list(Path.of("/sys/block"))) {
      Path disk = disks.filter(d -> !d.getFileName().toString().matches("(loop|zram|ram).*")).sorted().findFirst()
          .orElseGet(() -> org.junit.jupiter.api.Assumptions.abort("the host has no disk in /sys/block"));
      return java.nio.file.Files.readString(disk.resolve("dev")).strip();
    }
  }

  @Test
  void failingCommandGivesExit3AndItsTail() throws Exception {
    CommandResult r = runner.run(root, Command.shell("echo about to fail; ls /nonexistent; exit 3"));
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.outputTail()).startsWith("about to fail\n").contains("/nonexistent");
    assertNoMountLeft();
  }

  @Test
  void timeoutKillsIt() throws Exception {
    long start = System.nanoTime();
    CommandResult r = runner.run(root, Command.builder("/bin/sh", "-c", "echo sleeping; sleep 600")
        .timeout(Duration.ofSeconds(2)).build());
    assertThat(r.timedOut()).isTrue();
    assertThat(r.outputTail()).isEqualTo("sleeping");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertNoMountLeft();
  }

  @Test
  void interruptingTheCallerStopsItAndUnmounts() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        runner.run(root, Command.builder("/bin/sh", "-c", "echo started; sleep 600")
            .output(e -> started.countDown()).build());
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    t.start();
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(MountTable.mountsBelow(root.root())).as("the sandbox's mounts are its own").isEmpty();
    t.interrupt();
    t.join(30_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class);
    assertNoMountLeft();
  }
}
