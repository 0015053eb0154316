package dev.kairos.factory.core.api.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * An exclusive lock on a work directory or an output, held for a whole run: a lock file holding
 * the holder's pid, locked with {@link FileChannel#tryLock()} (an OS lock, so a killed holder
 * releases it). A second run fails at once with {@link InUseException} ("PATH: in use by pid N");
 * nobody waits.
 *
 * <pre>{@code
 * try (ExclusiveLock lock = ExclusiveLock.forOutput(Path.of("out/kairos.iso"))) {
 *   AtomicFile.write(lock.guarded(), tmp -> iso.writeTo(tmp));
 * }
 * }</pre>
 *
 * <p>The lock file of an output {@code DIR/NAME} is {@code DIR/.NAME.kairos-lock}; that of a
 * directory is {@code DIR/.kairos-lock} ({@link #forDirectory}). It is removed when the lock is
 * released, while still locked, and a new holder checks that the file it locked is still the one
 * under that name, so that a holder releasing and a newcomer opening at the same moment never
 * both hold it. Locks are the process's: a second lock on the same file in one JVM fails too.
 */
public final class ExclusiveLock implements Closeable {
  /** How a lock file's name ends. */
  public static final String SUFFIX = ".kairos-lock";

  /** The lock files this JVM holds. */
  private static final Set<Path> HELD = new HashSet<>();

  private final Path guarded;
  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private boolean released;

  private ExclusiveLock(Path guarded, Path file, FileChannel channel, FileLock lock) {
    this.guarded = guarded;
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /** Locks the output {@code output} (a file or a directory written as a whole) through {@code .NAME.kairos-lock} beside it. */
  public static ExclusiveLock forOutput(Path output) throws IOException {
    Path absolute = output.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("an output needs a parent directory: " + output);
    }
    Files.createDirectories(parent);
    return acquire(absolute, parent.toRealPath().resolve("." + absolute.getFileName() + SUFFIX));
  }

  /** Locks the directory {@code dir}, which must exist, through {@code dir/.kairos-lock}. */
  public static ExclusiveLock forDirectory(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    return acquire(absolute, absolute.toRealPath().resolve(SUFFIX));
  }

  private static ExclusiveLock acquire(Path guarded, Path file) throws IOException {
    // POSIX locks belong to the process and go when it closes any descriptor of the file: so this
    // JVM never opens a lock file it holds, and a second lock in it fails here.
    synchronized (HELD) {
      if (HELD.contains(file)) {
        throw new InUseException(guarded, Pids.self());
      }
      HELD.add(file);
    }
    try {
      return lock(guarded, file);
    } catch (IOException | RuntimeException e) {
      synchronized (HELD) {
        HELD.remove(file);
      }
      throw e;
    }
  }

  private static ExclusiveLock lock(Path guarded, Path file) throws IOException {
    byte[] mine = (Pids.self() + "\n").getBytes(StandardCharsets.US_ASCII);
    for (int attempt = 0; attempt < 20; attempt++) {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
      if (lock == null) {
        ch.close();
        throw new InUseException(guarded, holder(file));
      }
      if (stillNamed(file)) {
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(mine), 0);
        ch.force(true);
        TemporaryFiles.register(file);
        return new ExclusiveLock(guarded, file, ch, lock);
      }
      // The previous holder removed the file between our open and our lock: try the new one.
      lock.release();
      ch.close();
    }
    throw new InUseException(guarded, holder(file));
  }

  /**
   * Whether the file this process has open (and just locked) is still the one under its name,
   * compared by inode through {@code /proc/self/fd} (a stat, never an open, which would drop the
   * lock). Where there is no {@code /proc}, the name is trusted.
   */
  private static boolean stillNamed(Path file) throws IOException {
    Object named;
    try {
      named = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    } catch (NoSuchFileException e) {
      return false;
    }
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds) || named == null) {
      return true;
    }
    String real = file.toString();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(fds)) {
      for (Path fd : s) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
          continue; // closed meanwhile (the stream's own descriptor, another thread's file)
        }
        if (target.equals(real + " (deleted)")) {
          return false;
        }
        if (target.equals(real)) {
          try {
            return named.equals(Files.readAttributes(fd, BasicFileAttributes.class).fileKey());
          } catch (IOException e) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** The pid a lock file names; a holder may not have written it yet, so a few short retries. */
  private static long holder(Path file) {
    for (int i = 0; i < 20; i++) {
      try {
        String s = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!s.isEmpty()) {
          return Long.parseLong(s.split(" ", 2)[0]);
        }
        Thread.sleep(10);
      } catch (IOException | NumberFormatException e) {
        return -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }
    return -1;
  }

  /** What is locked: the output or the directory, absolute. */
  public Path guarded() {
    return guarded;
  }

  /** The lock file. */
  public Path file() {
    return file;
  }

  /** Removes the lock file and releases the lock; a second call does nothing. */
  @Override
  public void close() throws IOException {
    if (released) {
      return;
    }
    released = true;
    try {
      Files.deleteIfExists(file);
    } finally {
      TemporaryFiles.unregister(file);
      try {
        lock.release();
      } finally {
        channel.close();
        synchronized (HELD) {
          HELD.remove(file);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "lock on " + Objects.toString(guarded);
  }
}
