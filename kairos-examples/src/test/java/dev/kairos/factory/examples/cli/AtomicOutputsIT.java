package dev.kairos.factory.examples.cli;

import dev.kairos.factory.examples.testsupport.TestSupport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output's old content survives a full disk (a real 5 MB tmpfs) and a SIGTERM to the real CLI
 * in a child JVM mid-write, and no temporary file is left behind.
 */
class AtomicOutputsIT {
  @TempDir Path tmp;

  @Test
  void aFullDiskKeepsTheOldOutputLeavesNoTemporaryAndNamesThePath() throws Exception {
    assumeTrue(ChildCli.isRoot(), "needs root to mount a tmpfs");
    Path root = TestSupport.bigRoot(tmp.resolve("root"), 8);
    Path small = Files.createDirectories(tmp.resolve("small"));
    ChildCli.run("mount", "-t", "tmpfs", "-o", "size=5m", "tmpfs", small.toString());
    try {
      Path out = Files.writeString(small.resolve("initrd.img"), "the old initrd");
      CliRunner r = CliRunner.run("initrd", "--root", root.toString(), "-o", out.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(1);
      assertThat(r.err()).contains(out + ": No space left on device").doesNotContain("\tat ");
      assertThat(out).hasContent("the old initrd");
      assertThat(ChildCli.names(small)).containsExactly("initrd.img");
    } finally {
      ChildCli.run("umount", small.toString());
    }
  }

  @Test
  void sigtermMidWriteKeepsTheOldOutputAndLeavesNoTemporary() throws Exception {
    Path root = TestSupport.bigRoot(tmp.resolve("root"), 256);
    Path outDir = Files.createDirectories(tmp.resolve("out"));
    Path out = Files.writeString(outDir.resolve("initrd.img"), "the old initrd");
    Process cli = ChildCli.start(tmp.resolve("logs"), "initrd", "initrd", "--root", root.toString(), "-o",
        out.toString(), "--compression", "gzip");
    // Mid-write: the temporary file beside the output has grown past 1 MiB.
    TestSupport.await("the temporary file to grow", 60, () -> {
      try (var s = Files.list(outDir)) {
        return s.anyMatch(p -> p.getFileName().toString().contains(".kairos-tmp-") && p.toFile().length() > (1 << 20));
      } catch (java.io.IOException e) {
        return false;
      }
    });
    assertThat(cli.isAlive()).isTrue();
    cli.destroy(); // SIGTERM
    assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(cli.exitValue()).isEqualTo(143);
    assertThat(out).hasContent("the old initrd");
    assertThat(ChildCli.names(outDir)).containsExactly("initrd.img");
  }
}
