package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.io.OwnedDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI on real directories: a {@code --work} that holds a user's files, equals {@code --root},
 * contains {@code -o} or has a mount inside loses nothing (build-disk needs mke2fs and grub-mkimage).
 */
class WorkDirectoryTest {
  @TempDir Path tmp;

  private Path root() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root/etc"));
    Files.writeString(root.resolve("os-release"), "ID=debian\n");
    // build-disk refuses a root without /boot; stand-ins, copied and not run.
    Path boot = Files.createDirectories(tmp.resolve("root/boot"));
    Files.write(boot.resolve("vmlinuz"), new byte[4096]);
    Files.write(boot.resolve("initrd"), new byte[2048]);
    return tmp.resolve("root");
  }

  /** Every file below {@code dir} with its content, to compare before and after. */
  static List<String> snapshot(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.sorted().map(p -> {
        try {
          return dir.relativize(p) + (Files.isRegularFile(p) ? "=" + Files.readString(p) : "/");
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
  }

  @Test
  void aWorkDirectoryHoldingTheUsersFilesIsAUsageErrorAndIsLeftAsItWas() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Files.writeString(home.resolve("thesis.tex"), "years of work");
    Files.createDirectories(home.resolve("photos"));
    Files.writeString(home.resolve("photos/a.jpg"), "jpeg");
    List<String> before = snapshot(home);
    for (String verb : new String[] {"build-iso", "build-disk"}) {
      CliRunner r = CliRunner.run(verb, "--root", root().toString(), "-o", tmp.resolve("out.img").toString(),
          "--work", home.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).contains("Invalid value for option '--work'", home.toString(), "not empty");
      assertThat(snapshot(home)).isEqualTo(before);
    }
    CliRunner build = CliRunner.run("build", "--from", "dir:" + root(), "-v", "v1.0.0", "--work", home.toString(),
        "--no-cache");
    assertThat(build.exit()).as(build.err()).isEqualTo(2);
    assertThat(snapshot(home)).isEqualTo(before);
    assertThat(tmp.resolve("out.img")).doesNotExist();
  }

  @Test
  void aWorkDirectoryEqualToTheRootIsRefusedAndTheRootUntouched() throws Exception {
    Path root = root();
    List<String> before = snapshot(root);
    CliRunner r = CliRunner.run("build-disk", "--root", root.toString(), "-o", tmp.resolve("d.raw").toString(),
        "--work", root.toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--work", "which this run reads or writes");
    assertThat(snapshot(root)).isEqualTo(before);
  }

  @Test
  void aWorkDirectoryContainingTheOutputKeepsItAndTheUsersOtherFiles() throws Exception {
    Path work = tmp.resolve("work");
    Path disk = work.resolve("disk.raw");
    CliRunner first = CliRunner.run("build-disk", "--root", root().toString(), "-o", disk.toString(),
        "--work", work.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(work.resolve(OwnedDirectory.MARKER)).isRegularFile();
    Files.writeString(work.resolve("notes.txt"), "mine");
    long size = Files.size(disk);
    CliRunner again = CliRunner.run("build-disk", "--root", root().toString(), "-o", disk.toString(),
        "--work", work.toString());
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(Files.size(disk)).isEqualTo(size);
    // Only the marker, the user's note and the disk: the scratch directory went, nothing else did.
    try (Stream<Path> s = Files.list(work)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted())
          .containsExactly(OwnedDirectory.MARKER, "disk.raw", "notes.txt");
    }
  }

  @Test
  void aBindMountInsideThePreviousRootStopsTheBuildAndItsSourceKeepsEverything() throws Exception {
    assumeTrue(ChildCli.isRoot(), "needs root to mount");
    Path work = tmp.resolve("work");
    // A previous build's work directory, with the user's data bind-mounted into its root.
    Files.createDirectories(work.resolve("rootfs/mnt/data"));
    Files.writeString(work.resolve(OwnedDirectory.MARKER), "");
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("precious.db"), "rows");
    ChildCli.run("mount", "--bind", data.toString(), work.resolve("rootfs/mnt/data").toString());
    try {
      CliRunner r = CliRunner.run("build", "--from", "dir:" + root(), "-v", "v1.0.0", "--work", work.toString(),
          "--no-cache");
      assertThat(r.exit()).as(r.err()).isEqualTo(1);
      assertThat(r.err()).contains(work.resolve("rootfs/mnt/data").toRealPath().toString(), "mount point");
      assertThat(data.resolve("precious.db")).hasContent("rows");
      assertThat(work.resolve("rootfs/mnt/data/precious.db")).hasContent("rows");
    } finally {
      ChildCli.run("umount", work.resolve("rootfs/mnt/data").toString());
    }
  }
}
