package dev.kairos.factory.core.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchDirectoryTest {
  @TempDir Path tmp;

  @Test
  void deleteTreeRemovesLinksNeverTheirTargets() throws Exception {
    Path keep = Files.writeString(Files.createDirectories(tmp.resolve("keep")).resolve("f"), "x");
    Path tree = Files.createDirectories(tmp.resolve("tree/a"));
    Files.createSymbolicLink(tree.resolve("link"), tmp.resolve("keep"));
    ScratchDirectory.deleteTree(tmp.resolve("tree"));
    assertThat(tmp.resolve("tree")).doesNotExist();
    assertThat(keep).hasContent("x");
  }

  @Test
  void deleteTreeRefusesABindMountInsideNamingItAndDeletesNothing() throws Exception {
    assumeTrue(new ProcessBuilder("id", "-u").start().inputReader().readLine().equals("0"), "needs root to mount");
    Path source = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(source.resolve("precious"), "x");
    Path tree = Files.createDirectories(tmp.resolve("tree"));
    Files.createDirectories(tree.resolve("mnt"));
    Files.writeString(tmp.resolve("tree/file"), "y");
    run("mount", "--bind", source.toString(), tree.resolve("mnt").toString());
    try {
      assertThatThrownBy(() -> ScratchDirectory.deleteTree(tmp.resolve("tree")))
          .isInstanceOf(UnsafeDeletionException.class)
          .hasMessageContaining(tree.resolve("mnt").toRealPath().toString())
          .hasMessageContaining("mount point");
      assertThat(tmp.resolve("tree/file")).exists();
      assertThat(source.resolve("precious")).hasContent("x");
    } finally {
      run("umount", tree.resolve("mnt").toString());
    }
  }

  static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
  }
}
