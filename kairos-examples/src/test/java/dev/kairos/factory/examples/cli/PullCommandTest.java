package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pull} on real directories: whole or nothing under {@code --to}, dead pulls' leftovers removed. */
class PullCommandTest {
  @TempDir Path tmp;

  @Test
  void aFailedPullLeavesNoToDirectoryAndNoLeftovers() throws Exception {
    Path to = tmp.resolve("p");
    CliRunner r = CliRunner.run("pull", "127.0.0.1:1/kairos/base:v1", "--to", to.toString(), "--no-cache");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(to).doesNotExist();
    assertThat(ChildCli.names(tmp)).isEmpty();
  }

  @Test
  void aPullRenamesAWholeTreeIntoPlaceAndRemovesADeadPullsScratch() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src/etc"));
    Files.writeString(src.resolve("os-release"), "ID=debian\n");
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path stale = Files.createDirectories(tmp.resolve(".kairos-pull-" + gone.pid() + "-1/rootfs/usr"));
    Path to = tmp.resolve("p");
    CliRunner r = CliRunner.run("pull", "dir:" + tmp.resolve("src"), "--to", to.toString(), "--no-cache");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(to.resolve("etc/os-release")).hasContent("ID=debian\n");
    assertThat(stale).doesNotExist();
    assertThat(ChildCli.names(tmp)).containsExactly("p", "src");
  }

  @Test
  void aNonEmptyToIsRefusedAndKept() throws Exception {
    Path to = Files.createDirectories(tmp.resolve("p"));
    Files.writeString(to.resolve("mine"), "x");
    CliRunner r = CliRunner.run("pull", "dir:" + tmp, "--to", to.toString(), "--no-cache");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains(to.toString(), "not empty");
    assertThat(ChildCli.names(to)).containsExactly("mine");
  }
}
