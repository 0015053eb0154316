package dev.kairos.factory.boot.internal.io;

import dev.kairos.factory.core.api.io.ScratchDirectory;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * Where a target puts its intermediate files: the caller's work directory (created if missing,
 * never emptied), or else a hidden directory this class creates beside the output and deletes,
 * with all it holds, on {@link #close()}. Deleting is {@link ScratchDirectory#deleteTree(Path)}'s:
 * it never follows a symlink and never crosses a mount point.
 */
public final class WorkArea implements Closeable {
  private final Path dir;
  private final boolean owned;

  private WorkArea(Path dir, boolean owned) {
    this.dir = dir;
    this.owned = owned;
  }

  /** {@code given} when present, else a new directory {@code .NAME.kairos-work-PID-RANDOM} beside {@code output}. */
  public static WorkArea of(Optional<Path> given, Path output) throws IOException {
    if (given.isPresent()) {
      return new WorkArea(Files.createDirectories(given.get()), false);
    }
    Path out = output.toAbsolutePath().normalize();
    Path parent = Files.createDirectories(out.getParent());
    Path dir = parent.resolve("." + out.getFileName() + ".kairos-work-" + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 8));
    return new WorkArea(Files.createDirectory(dir), true);
  }

  /** The directory. */
  public Path dir() {
    return dir;
  }

  /** A fresh (empty) subdirectory {@code name}; an older one of that name is deleted first. */
  public Path fresh(String name) throws IOException {
    Path sub = dir.resolve(name);
    if (Files.exists(sub, LinkOption.NOFOLLOW_LINKS)) {
      ScratchDirectory.deleteTree(sub);
    }
    return Files.createDirectories(sub);
  }

  /** Deletes the directory if this class created it. */
  @Override
  public void close() throws IOException {
    if (owned) {
      ScratchDirectory.deleteTree(dir);
    }
  }
}
