package dev.kairos.factory.core.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In one JVM; a full disk and a real signal are tested at the CLI (AtomicOutputsIT). */
class AtomicFileTest {
  @TempDir Path tmp;

  @Test
  void aFailedWriteKeepsTheOldContentAndLeavesNoTemporary() throws Exception {
    Path out = Files.writeString(tmp.resolve("initrd"), "old");
    assertThatThrownBy(() -> AtomicFile.write(out, t -> {
      Files.writeString(t, "half");
      throw new IOException("boom");
    })).hasMessage("boom");
    assertThat(out).hasContent("old");
    try (var s = Files.list(tmp)) {
      assertThat(s).containsExactly(out);
    }
    AtomicFile.write(out, t -> Files.writeString(t, "new"));
    assertThat(out).hasContent("new");
  }

  @Test
  void sweepRemovesTheTemporariesOfDeadProcessesOnly() throws Exception {
    long dead = OwnedDirectoryTest.deadPid();
    Path stale = Files.writeString(tmp.resolve(".kairos.iso.kairos-tmp-" + dead + "-0a1b2c3d"), "partial");
    try (AtomicFile live = AtomicFile.begin(tmp.resolve("kairos.iso"))) {
      Path user = Files.writeString(tmp.resolve(".notes.kairos-tmp-x"), "not ours by name");
      assertThat(AtomicFile.sweep(tmp)).containsExactly(stale);
      assertThat(live.temporary()).exists();
      assertThat(user).exists();
    }
  }
}
