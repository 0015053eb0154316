package dev.kairos.factory.core.internal.fs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A private scratch directory inside a place the caller chose (never the host's temporary
 * directory), removed with everything in it on close; and the tree deletion it uses, which never
 * follows a symlink (a link is removed, never its target).
 *
 * <pre>{@code
 * try (ScratchDirectory scratch = ScratchDirectory.in(work, "pull")) {
 *   Files.write(scratch.dir().resolve("layer.tar"), bytes);
 * }
 * }</pre>
 */
public final class ScratchDirectory implements AutoCloseable {
  private final Path dir;

  private ScratchDirectory(Path dir) {
    this.dir = dir;
  }

  /** A new directory inside {@code parent} (created if missing), named {@code .kairos-<what>-…}. */
  public static ScratchDirectory in(Path parent, String what) throws IOException {
    Files.createDirectories(parent);
    return new ScratchDirectory(Files.createTempDirectory(parent, ".kairos-" + what + "-"));
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() throws IOException {
    deleteTree(dir);
  }

  /** Deletes {@code p} and everything below it, never following symlinks; nothing there is fine. */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(p, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
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
