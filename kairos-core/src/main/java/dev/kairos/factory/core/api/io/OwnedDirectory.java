package dev.kairos.factory.core.api.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A work directory the library may use, held exclusively for a run: one it created, one that was
 * empty, or one a previous run marked as its own (a {@value #MARKER} file inside). A directory
 * that exists, holds anything else and has no marker is refused with {@link NotOwnedException}
 * before anything is written to it; so is the run's root or output (or a directory inside one).
 * While claimed, the directory is locked ({@link ExclusiveLock}): a second run on it fails with
 * {@link InUseException}.
 *
 * <p>The library deletes only what it names inside: {@link #delete} removes one entry (never the
 * marker or the lock, never a path the caller protected, never across a mount point), and
 * {@link #scratch} directories remove themselves. Files a user put beside them stay.
 *
 * <pre>{@code
 * try (OwnedDirectory work = OwnedDirectory.claim(Path.of("work"), List.of(root, output));
 *     ScratchDirectory scratch = work.scratch("iso")) {
 *   LiveIso.builder(rootfs).workDirectory(scratch.dir()).build().writeTo(tmp);
 * }
 * }</pre>
 */
public final class OwnedDirectory implements Closeable {
  /** The name of the marker file that says the library made (or took over) a directory. */
  public static final String MARKER = ".kairos-work";

  private static final String MARKER_TEXT =
      "This directory is a kairos-factory work directory: kairos-factory may delete what it made here.\n";

  private final Path dir;
  private final List<Path> keep;
  private final ExclusiveLock lock;

  private OwnedDirectory(Path dir, List<Path> keep, ExclusiveLock lock) {
    this.dir = dir;
    this.keep = keep;
    this.lock = lock;
  }

  /**
   * Claims {@code dir}: creates it (and its marker) if missing, takes it over if empty, accepts it
   * if marked; locks it; and removes the temporary files and scratch directories that runs now
   * gone left in it.
   *
   * @param keep paths this run reads or writes (its root, its outputs): the work directory may not
   *     be one of them or inside one, and nothing is ever deleted at, above or below them
   * @throws NotOwnedException if {@code dir} holds someone's files, is not a directory, or is one
   *     of {@code keep} or inside it
   * @throws InUseException if another run holds it
   */
  public static OwnedDirectory claim(Path dir, Collection<Path> keep) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    List<Path> kept = new ArrayList<>();
    for (Path k : keep) {
      Path ka = k.toAbsolutePath().normalize();
      kept.add(ka);
      if (absolute.startsWith(ka) || (Files.exists(ka) && Files.exists(absolute)
          && absolute.toRealPath().startsWith(ka.toRealPath()))) {
        throw new NotOwnedException(dir, "is " + (absolute.equals(ka) ? "" : "inside ") + k
            + ", which this run reads or writes; give a work directory of its own");
      }
    }
    if (Files.exists(absolute)) {
      if (!Files.isDirectory(absolute)) {
        throw new NotOwnedException(dir, "not a directory");
      }
      if (!Files.exists(absolute.resolve(MARKER), LinkOption.NOFOLLOW_LINKS) && holdsForeignFiles(absolute)) {
        throw new NotOwnedException(dir, "exists, is not empty and was not made by kairos-factory (it has no "
            + MARKER + "); nothing in it is touched: give a new or empty directory, or empty it yourself");
      }
    }
    Files.createDirectories(absolute);
    Path marker = absolute.resolve(MARKER);
    if (!Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
      AtomicFile.write(marker, tmp -> Files.writeString(tmp, MARKER_TEXT, StandardCharsets.UTF_8));
    }
    ExclusiveLock lock = ExclusiveLock.forDirectory(absolute);
    try {
      AtomicFile.sweep(absolute);
      ScratchDirectory.sweep(absolute);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    return new OwnedDirectory(absolute, List.copyOf(kept), lock);
  }

  /** Whether {@code dir} holds anything but the library's own marker, locks and temporaries. */
  private static boolean holdsForeignFiles(Path dir) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        // An output's lock or temporary file beside it, when the output is to be written in here.
        if (!name.startsWith(".kairos-") && !name.endsWith(ExclusiveLock.SUFFIX) && !name.contains(AtomicFile.TEMP_INFIX)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The directory, absolute. */
  public Path path() {
    return dir;
  }

  /**
   * Deletes the entry {@code name} (one name, no separators) of this directory and everything in
   * it; nothing there is fine. Refused, before anything is deleted, when a mount point or a
   * protected path is at or below it.
   *
   * @throws UnsafeDeletionException naming the mount point or protected path
   * @throws IllegalArgumentException if {@code name} is not a single entry name, or is the marker
   *     or the lock
   */
  public void delete(String name) throws IOException {
    if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..") || name.equals(MARKER)
        || name.equals(ExclusiveLock.SUFFIX)) {
      throw new IllegalArgumentException("not an entry of the work directory: '" + name + "'");
    }
    ScratchDirectory.deleteTree(dir.resolve(name), keep);
  }

  /** A new scratch directory in this one, removed when closed. */
  public ScratchDirectory scratch(String what) throws IOException {
    return ScratchDirectory.in(dir, what);
  }

  /** Releases the lock; the directory and its marker stay. */
  @Override
  public void close() throws IOException {
    lock.close();
  }

  @Override
  public String toString() {
    return "work directory " + dir;
  }
}
