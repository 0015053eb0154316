package dev.kairos.factory.core.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In one JVM; two real processes on one lock are tested at the CLI (LocksIT). */
class ExclusiveLockTest {
  @TempDir Path tmp;

  @Test
  void anOutputsLockSitsBesideItNamesItsHolderAndGoesWhenReleased() throws Exception {
    Path out = tmp.resolve("out/kairos.iso");
    try (ExclusiveLock lock = ExclusiveLock.forOutput(out)) {
      assertThat(lock.file()).isEqualTo(tmp.resolve("out/.kairos.iso.kairos-lock"));
      assertThat(Files.readString(lock.file())).startsWith(ProcessHandle.current().pid() + " ");
      assertThatThrownBy(() -> ExclusiveLock.forOutput(out))
          .isInstanceOf(InUseException.class)
          .hasMessage(out + ": in use by pid " + ProcessHandle.current().pid());
    }
    assertThat(tmp.resolve("out/.kairos.iso.kairos-lock")).doesNotExist();
    try (ExclusiveLock again = ExclusiveLock.forOutput(out)) {
      assertThat(again.guarded()).isEqualTo(out);
    }
  }

  @Test
  void aLockFileLeftByADeadHolderIsTakenOver() throws Exception {
    Path out = tmp.resolve("x.img");
    Files.writeString(tmp.resolve(".x.img.kairos-lock"), OwnedDirectoryTest.deadPid() + " gone\n");
    try (ExclusiveLock lock = ExclusiveLock.forOutput(out)) {
      assertThat(Files.readString(lock.file())).startsWith(ProcessHandle.current().pid() + " ");
    }
  }
}
