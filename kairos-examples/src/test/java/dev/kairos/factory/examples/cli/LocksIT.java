package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.examples.testsupport.TestSupport;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real CLI processes on one output or one work directory: the second fails at once, naming the first's pid. */
class LocksIT {
  @TempDir Path tmp;

  @Test
  void aSecondRunOnTheSameOutputFailsAtOnceAndTheFirstFinishes() throws Exception {
    Path root = TestSupport.bigRoot(tmp.resolve("root"), 128);
    Path out = tmp.resolve("out/initrd.img");
    Process first = ChildCli.start(tmp.resolve("logs"), "first", "initrd", "--root", root.toString(), "-o",
        out.toString(), "--compression", "gzip");
    try {
      Path lock = out.resolveSibling("." + out.getFileName() + ExclusiveLock.SUFFIX);
      TestSupport.await("the first run's lock", 60, () -> Files.exists(lock));
      long start = System.nanoTime();
      Process second = ChildCli.start(tmp.resolve("logs"), "second", "initrd", "--root", root.toString(), "-o",
          out.toString());
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(first.isAlive()).as("the first run is still writing").isTrue();
      assertThat(second.exitValue()).isEqualTo(1);
      assertThat(Files.readString(tmp.resolve("logs/second.err")))
          .contains(out.toAbsolutePath() + ": in use by pid " + first.pid());
      assertThat(seconds).as("fails at once (JVM start included)").isLessThan(20);
      assertThat(first.waitFor(300, TimeUnit.SECONDS)).isTrue();
      assertThat(first.exitValue()).as(Files.readString(tmp.resolve("logs/first.err"))).isZero();
      assertThat(ChildCli.names(out.getParent())).containsExactly("initrd.img");
    } finally {
      first.destroyForcibly();
    }
  }

  @Test
  void aSecondRunOnTheSameWorkDirectoryFailsAtOnce() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root/etc"));
    Files.writeString(root.resolve("os-release"), "ID=debian\n");
    // build-disk refuses a root without /boot; stand-ins, copied and not run.
    Path boot = Files.createDirectories(tmp.resolve("root/boot"));
    Files.write(boot.resolve("vmlinuz"), new byte[4096]);
    Files.write(boot.resolve("initrd"), new byte[2048]);
    Path work = tmp.resolve("work");
    Process first = ChildCli.start(tmp.resolve("logs"), "first", "build-disk", "--root", tmp.resolve("root").toString(),
        "-o", tmp.resolve("a.raw").toString(), "--work", work.toString());
    try {
      TestSupport.await("the first run's lock", 60, () -> Files.exists(work.resolve(ExclusiveLock.SUFFIX)));
      Process second = ChildCli.start(tmp.resolve("logs"), "second", "build-disk", "--root",
          tmp.resolve("root").toString(), "-o", tmp.resolve("b.raw").toString(), "--work", work.toString());
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(first.isAlive()).as("the first run is still building").isTrue();
      assertThat(second.exitValue()).isEqualTo(1);
      assertThat(Files.readString(tmp.resolve("logs/second.err")))
          .contains(work.toAbsolutePath() + ": in use by pid " + first.pid());
      assertThat(first.waitFor(300, TimeUnit.SECONDS)).isTrue();
      assertThat(first.exitValue()).as(Files.readString(tmp.resolve("logs/first.err"))).isZero();
      assertThat(tmp.resolve("a.raw")).isRegularFile();
      assertThat(tmp.resolve("b.raw")).doesNotExist();
    } finally {
      first.destroyForcibly();
    }
  }
}
