package dev.kairos.factory.oci.internal.util;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** A private scratch directory beside a place the caller chose, removed on close. */
public final class Scratch implements AutoCloseable {
  private final Path dir;

  private Scratch(Path dir) {
    this.dir = dir;
  }

  /** A new directory inside {@code parent} (created if missing), named {@code .kairos-<what>-…}. */
  public static Scratch in(Path parent, String what) throws IOException {
    Files.createDirectories(parent);
    return new Scratch(Files.createTempDirectory(parent, ".kairos-" + what + "-"));
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() throws IOException {
    deleteTree(dir);
  }

  /** Deletes {@code p} and everything below it, never following symlinks. */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
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
