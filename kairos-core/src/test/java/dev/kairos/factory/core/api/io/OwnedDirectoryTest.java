package dev.kairos.factory.core.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnedDirectoryTest {
  @TempDir Path tmp;

  @Test
  void aNewDirectoryIsCreatedMarkedAndLocked() throws Exception {
    Path work = tmp.resolve("a/work");
    try (OwnedDirectory w = OwnedDirectory.claim(work, List.of())) {
      assertThat(work.resolve(OwnedDirectory.MARKER)).isRegularFile();
      assertThat(work.resolve(ExclusiveLock.SUFFIX)).isRegularFile();
      assertThatThrownBy(() -> OwnedDirectory.claim(work, List.of()))
          .isInstanceOf(InUseException.class)
          .hasMessageContaining("in use by pid " + ProcessHandle.current().pid());
    }
    assertThat(work.resolve(ExclusiveLock.SUFFIX)).doesNotExist();
    assertThat(work.resolve(OwnedDirectory.MARKER)).isRegularFile();
    // Marked: claimed again although no longer empty.
    Files.writeString(work.resolve("rootfs"), "ours");
    try (OwnedDirectory w = OwnedDirectory.claim(work, List.of())) {
      w.delete("rootfs");
    }
    assertThat(work.resolve("rootfs")).doesNotExist();
  }

  @Test
  void aDirectoryHoldingSomeonesFilesIsRefusedAndLeftAsItWas() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Files.writeString(home.resolve("thesis.tex"), "years of work");
    assertThatThrownBy(() -> OwnedDirectory.claim(home, List.of()))
        .isInstanceOf(NotOwnedException.class)
        .hasMessageContaining(home.toString()).hasMessageContaining("not empty");
    try (var s = Files.list(home)) {
      assertThat(s).containsExactly(home.resolve("thesis.tex"));
    }
  }

  @Test
  void theRootOrAnOutputOrAPlaceInsideOneIsRefused() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    assertThatThrownBy(() -> OwnedDirectory.claim(root, List.of(root))).isInstanceOf(NotOwnedException.class)
        .hasMessageContaining("which this run reads or writes");
    assertThatThrownBy(() -> OwnedDirectory.claim(root.resolve("tmp/w"), List.of(root)))
        .isInstanceOf(NotOwnedException.class).hasMessageContaining("inside");
    assertThat(root.resolve("tmp")).doesNotExist();
  }

  @Test
  void deleteRemovesOnlyTheNamedEntryAndNeverAKeptPath() throws Exception {
    Path work = tmp.resolve("work");
    Path output = work.resolve("rootfs/out.iso");
    try (OwnedDirectory w = OwnedDirectory.claim(work, List.of(output))) {
      Files.createDirectories(work.resolve("rootfs"));
      Files.writeString(output, "old iso");
      Files.writeString(work.resolve("notes.txt"), "the user's");
      assertThatThrownBy(() -> w.delete("rootfs")).isInstanceOf(UnsafeDeletionException.class)
          .hasMessageContaining(output.toString());
      assertThat(output).hasContent("old iso");
      assertThatThrownBy(() -> w.delete("../x")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> w.delete(OwnedDirectory.MARKER)).isInstanceOf(IllegalArgumentException.class);
      Files.createDirectories(work.resolve("iso"));
      w.delete("iso");
    }
    assertThat(work.resolve("notes.txt")).hasContent("the user's");
    assertThat(work.resolve("iso")).doesNotExist();
  }

  @Test
  void scratchDirectoriesOfDeadRunsAreSweptThoseOfLiveOnesKept() throws Exception {
    Path work = tmp.resolve("work");
    try (OwnedDirectory w = OwnedDirectory.claim(work, List.of())) {
      // nothing
    }
    long dead = deadPid();
    Path stale = Files.createDirectories(work.resolve(".kairos-iso-" + dead + "-123"));
    Files.writeString(stale.resolve("rootfs.squashfs"), "partial");
    Path staleTemp = Files.writeString(work.resolve(".x.iso.kairos-tmp-" + dead + "-abcd1234"), "partial");
    Path live = Files.createDirectories(work.resolve(".kairos-iso-" + ProcessHandle.current().pid() + "-456"));
    try (OwnedDirectory w = OwnedDirectory.claim(work, List.of())) {
      assertThat(stale).doesNotExist();
      assertThat(staleTemp).doesNotExist();
      assertThat(live).isDirectory();
    }
  }

  /** A pid no process has: a child that has exited. */
  static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }
}
