package dev.kairos.factory.core.api.io;

import dev.kairos.factory.core.api.KairosException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One output file, written so that its final name only ever holds a whole file: the content goes
 * to a temporary file beside the destination (same directory, so the same file system), is
 * flushed and fsynced, and is then renamed over the final name. Until {@link #commit()} the final
 * name keeps its old content (or does not exist); {@link #close()} without a commit removes the
 * temporary file.
 *
 * <pre>{@code
 * AtomicFile.write(Path.of("out/kairos.iso"), tmp -> iso.writeTo(tmp));
 *
 * try (AtomicFile out = AtomicFile.begin(Path.of("out/initrd"))) {
 *   try (OutputStream s = Files.newOutputStream(out.temporary())) {
 *     initrd.writeTo(s);
 *   }
 *   out.commit();
 * }
 * }</pre>
 *
 * <p>Temporary files are named {@code .NAME.kairos-tmp-PID-RANDOM}, so that a later run can tell
 * the leftovers of a dead process from the files of a live one.
 */
public final class AtomicFile implements Closeable {
  /** The infix of every temporary name this class makes. */
  public static final String TEMP_INFIX = ".kairos-tmp-";
  private static final Pattern TEMP_NAME = Pattern.compile("\\..+\\.kairos-tmp-(\\d+)-[0-9a-f]+");

  /** Writes the content of the temporary path it is given. */
  @FunctionalInterface
  public interface Writer {
    /** Writes the whole output to {@code temporary}, which exists and is empty. */
    void writeTo(Path temporary) throws IOException;
  }

  private final Path target;
  private final Path temporary;
  private boolean done;

  private AtomicFile(Path target, Path temporary) {
    this.target = target;
    this.temporary = temporary;
  }

  /**
   * Starts an output to {@code target}: creates its directory if missing and an empty temporary
   * file beside it. Fails if {@code target} is an existing directory.
   */
  public static AtomicFile begin(Path target) throws IOException {
    return begin(target, new FileAttribute<?>[0]);
  }

  /**
   * As {@link #begin(Path)}, the temporary file created with {@code attributes}: a private key is
   * {@code PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}, so
   * that it is never readable by others, not even for a moment.
   */
  public static AtomicFile begin(Path target, FileAttribute<?>... attributes) throws IOException {
    Objects.requireNonNull(target, "target");
    Path absolute = target.toAbsolutePath().normalize();
    if (Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
      throw new KairosException(target + ": is a directory, not a file");
    }
    Path dir = absolute.getParent();
    Files.createDirectories(dir);
    Path temporary =
        dir.resolve("." + absolute.getFileName() + TEMP_INFIX + Pids.self() + "-"
            + UUID.randomUUID().toString().substring(0, 8));
    try {
      Files.createFile(temporary, attributes);
    } catch (FileSystemException e) {
      throw named(target, e);
    }
    AtomicFile file = new AtomicFile(absolute, temporary);
    TemporaryFiles.register(temporary);
    return file;
  }

  /**
   * Removes the temporary files in {@code dir} that a process now gone left behind (killed before
   * its shutdown hook could run); returns what was removed. Those of live processes stay.
   */
  public static List<Path> sweep(Path dir) throws IOException {
    return Pids.sweep(dir, TEMP_NAME, p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS), Files::deleteIfExists);
  }

  /** Writes {@code target} atomically with {@code writer}; the temporary file is gone afterwards. */
  public static Path write(Path target, Writer writer) throws IOException {
    return write(target, writer, new FileAttribute<?>[0]);
  }

  /** As {@link #write(Path, Writer)}, the temporary file created with {@code attributes} (see {@link #begin(Path, FileAttribute[])}). */
  public static Path write(Path target, Writer writer, FileAttribute<?>... attributes) throws IOException {
    try (AtomicFile out = begin(target, attributes)) {
      try {
        writer.writeTo(out.temporary());
      } catch (FileSystemException e) {
        throw named(target, e);
      } catch (IOException e) {
        throw fullDisk(e) ? new KairosException(target + ": " + e.getMessage(), e) : e;
      }
      out.commit();
      return out.target();
    }
  }

  /** The final name (absolute). */
  public Path target() {
    return target;
  }

  /** Where to write the content until {@link #commit()}. */
  public Path temporary() {
    return temporary;
  }

  /** Fsyncs the temporary file, renames it over the final name and fsyncs the directory. */
  public void commit() throws IOException {
    if (done) {
      throw new IllegalStateException("already committed or closed: " + target);
    }
    try {
      try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(target.getParent());
    } catch (FileSystemException e) {
      throw named(target, e);
    }
    done = true;
    TemporaryFiles.unregister(temporary);
  }

  /** Removes the temporary file unless {@link #commit()} ran. */
  @Override
  public void close() throws IOException {
    if (!done) {
      done = true;
      Files.deleteIfExists(temporary);
      TemporaryFiles.unregister(temporary);
    }
  }

  private static void syncDirectory(Path dir) {
    // Makes the rename durable; some file systems refuse to open a directory for sync: not fatal.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // the rename itself has happened
    }
  }

  /**
   * Whether {@code e} is the kernel saying the output's file system is full (a write's plain
   * IOException carries only the errno text, not the path).
   */
  private static boolean fullDisk(IOException e) {
    String m = e.getMessage();
    return !(e instanceof KairosException) && m != null
        && (m.contains("No space left on device") || m.contains("Disk quota exceeded") || m.contains("File too large"));
  }

  /** An I/O failure that names the output, e.g. "out/x.iso: No space left on device". */
  static KairosException named(Path target, FileSystemException e) {
    String reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    return new KairosException(target + ": " + reason, e);
  }
}
