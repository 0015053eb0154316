package dev.kairos.factory.boot.internal.io;

import dev.kairos.factory.core.api.KairosException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.UUID;

/**
 * Where a target puts its intermediate files: the caller's work directory (created if missing,
 * never emptied), or else a hidden directory this class creates beside the output and deletes,
 * with all it holds, on {@link #close()}. Deleting never follows a symlink and never crosses into
 * another file system.
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
      deleteTree(sub);
    }
    return Files.createDirectories(sub);
  }

  /** Deletes the directory if this class created it. */
  @Override
  public void close() throws IOException {
    if (owned) {
      deleteTree(dir);
    }
  }

  /** Deletes {@code top} and everything below it, without following symlinks or entering another file system. */
  static void deleteTree(Path top) throws IOException {
    Object device = Files.getAttribute(top, "unix:dev", LinkOption.NOFOLLOW_LINKS);
    Files.walkFileTree(top, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        if (!device.equals(Files.getAttribute(d, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
          throw new KairosException(d + ": is a mount point inside the work directory " + top + "; not deleting it");
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        Files.delete(f);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
