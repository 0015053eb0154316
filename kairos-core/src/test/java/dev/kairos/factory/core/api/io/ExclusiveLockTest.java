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

  /** Opening a held lock file in this process would drop the lock (POSIX): cat reads it. */
  static String readByAnotherProcess(Path file) throws Exception {
    Process cat = new ProcessBuilder("cat", file.toString()).start();
    String s = new String(cat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(cat.waitFor()).isZero();
    return s;
  }

  @Test
  void anOutputsLockSitsBesideItNamesItsHolderAndGoesWhenReleased() throws Exception {
    Path out = tmp.resolve("out/kairos.iso");
    try (ExclusiveLock lock = ExclusiveLock.forOutput(out)) {
      assertThat(lock.file()).isEqualTo(tmp.toRealPath().resolve("out/.kairos.iso.kairos-lock"));
      assertThat(readByAnotherProcess(lock.file())).isEqualTo(ProcessHandle.current().pid() + "\n");
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
      assertThat(readByAnotherProcess(lock.file())).isEqualTo(ProcessHandle.current().pid() + "\n");
    }
  }
}
