package dev.kairos.factory.core.api.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A private scratch directory inside a place the caller chose (never the host's temporary
 * directory), removed with everything in it on close; and the one tree deletion of the library,
 * which never follows a symlink (a link is removed, never its target) and never crosses into a
 * mounted file system.
 *
 * <pre>{@code
 * try (ScratchDirectory scratch = ScratchDirectory.in(work, "pull")) {
 *   Files.write(scratch.dir().resolve("layer.tar"), bytes);
 * }
 * }</pre>
 *
 * <p>Scratch directories are named {@code .kairos-WHAT-PID-RANDOM}, so that {@link #sweep} can
 * remove those a dead process left behind without touching those of a live one.
 */
public final class ScratchDirectory implements AutoCloseable {
  private static final Pattern NAME = Pattern.compile("\\.kairos-[A-Za-z0-9-]+-(\\d+)-\\d+");
  private final Path dir;

  private ScratchDirectory(Path dir) {
    this.dir = dir;
  }

  /** A new directory inside {@code parent} (created if missing), named {@code .kairos-WHAT-PID-…}. */
  public static ScratchDirectory in(Path parent, String what) throws IOException {
    if (!what.matches("[A-Za-z0-9-]+")) {
      throw new IllegalArgumentException("scratch name must be letters, digits and '-': " + what);
    }
    Files.createDirectories(parent);
    return new ScratchDirectory(
        Files.createTempDirectory(parent, ".kairos-" + what + "-" + ProcessHandle.current().pid() + "-"));
  }

  /** The directory; it exists until {@link #close()}. */
  public Path dir() {
    return dir;
  }

  /** Deletes the directory and everything in it ({@link #deleteTree}). */
  @Override
  public void close() throws IOException {
    deleteTree(dir);
  }

  /**
   * Removes the scratch directories in {@code parent} whose process is gone (an interrupted or
   * killed run's); returns what was removed. Those of live processes are left alone.
   */
  public static List<Path> sweep(Path parent) throws IOException {
    return Pids.sweep(parent, NAME, p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS), ScratchDirectory::deleteTree);
  }

  /** Deletes {@code p} and everything below it: {@link #deleteTree(Path, Collection)} with nothing kept. */
  public static void deleteTree(Path p) throws IOException {
    deleteTree(p, List.of());
  }

  /**
   * Deletes {@code p} and everything below it; nothing there is fine. Symlinks are removed, never
   * followed. Refused before anything is deleted when a mount point is at or below {@code p}
   * (read from the kernel's mount table; a bind mount of the same file system counts), or when a
   * path of {@code keep} is at, below or above {@code p}; and stopped where the walk meets another file
   * system (a mount the table did not show).
   *
   * @throws UnsafeDeletionException naming the mount point or the kept path
   */
  public static void deleteTree(Path p, Collection<Path> keep) throws IOException {
    Objects.requireNonNull(p, "p");
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> mine = forms(p);
    for (Path k : keep) {
      for (Path form : forms(k)) {
        for (Path m : mine) {
          if (form.startsWith(m) || m.startsWith(form)) {
            throw new UnsafeDeletionException(p, k, "overlaps it and is not the library's to delete");
          }
        }
      }
    }
    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(p);
      return;
    }
    Path real = p.toRealPath();
    List<Path> mounts = MountTable.mountsAtOrBelow(real);
    if (!mounts.isEmpty()) {
      throw new UnsafeDeletionException(p, mounts.get(0), "is a mount point; unmount it first");
    }
    Object device = device(real);
    Files.walkFileTree(real, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        // The mount table is read once; a mount made since, or one it hides, shows as a new device.
        if (device != null && !device.equals(device(d))) {
          throw new UnsafeDeletionException(p, d, "is on another file system (a mount point); unmount it first");
        }
        return FileVisitResult.CONTINUE;
      }

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

  /** {@code k} as given (absolute, normalised) and, when it exists, as its real path. */
  private static List<Path> forms(Path k) throws IOException {
    List<Path> forms = new ArrayList<>(2);
    forms.add(k.toAbsolutePath().normalize());
    if (Files.exists(k)) {
      forms.add(k.toRealPath());
    }
    return forms;
  }

  private static Object device(Path p) throws IOException {
    try {
      return Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return null;
    }
  }
}
