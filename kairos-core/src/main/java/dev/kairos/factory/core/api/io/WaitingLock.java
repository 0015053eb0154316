package dev.kairos.factory.core.api.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A shared or exclusive lock on a file that waits for its holders, in other processes and in
 * other threads of this JVM alike: for a store that several builds use at once (a cache), where
 * {@link ExclusiveLock} (held for a whole run, failing at once) is for what one run owns.
 *
 * <pre>{@code
 * try (WaitingLock l = WaitingLock.shared(cache.resolve("lock"))) {
 *   readEntries();            // many readers at once, in any process
 * }
 * try (WaitingLock l = WaitingLock.exclusive(cache.resolve("lock"))) {
 *   prune();                  // waits until every reader is gone
 * }
 * }</pre>
 *
 * <p>Between processes this is an OS lock ({@link FileChannel#lock}), so a killed holder releases
 * it. Within a JVM the OS lock cannot tell threads apart, Java refuses overlapping locks, and
 * POSIX drops a process's locks on a file when any descriptor of that file closes: so each file
 * is opened once per JVM, while anyone in it uses the file, and threads queue on an in-JVM
 * read-write queue (a waiting exclusive holder keeps new shared ones out) before the one OS lock is taken: shared while any thread of the JVM holds
 * it shared, exclusive for a thread that holds it alone. Code in this JVM must therefore not open
 * a lock file by other means. The lock file is never deleted (a waiter may have it open); it is
 * made, empty, when missing.
 */
public final class WaitingLock implements Closeable {
  /** The files locked or waited for in this JVM, with how many users each has. */
  private static final Map<Path, PerFile> FILES = new HashMap<>();

  /**
   * One lock file in this JVM: its one channel, the threads admitted (readers, or one writer;
   * a waiting writer keeps new readers out so that it is not starved), the OS lock while held.
   */
  private static final class PerFile {
    final Path file;
    int users;
    int readers;
    boolean writer;
    int waitingWriters;
    FileChannel channel;
    FileLock os;

    PerFile(Path file) {
      this.file = file;
    }

    /** Waits until this thread may hold the lock as far as this JVM goes. */
    synchronized void admit(boolean shared) throws InterruptedException {
      if (shared) {
        while (writer || waitingWriters > 0) {
          wait();
        }
        readers++;
        return;
      }
      waitingWriters++;
      try {
        while (writer || readers > 0) {
          wait();
        }
      } finally {
        waitingWriters--;
        notifyAll();
      }
      writer = true;
    }

    /** Takes the OS lock if no admitted thread of this JVM holds it yet. */
    synchronized void take(boolean shared) throws IOException {
      if (os != null) {
        return;
      }
      if (channel == null || !channel.isOpen()) {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      }
      try {
        os = channel.lock(0, Long.MAX_VALUE, shared);
      } catch (ClosedChannelException e) {
        // an interrupt closed the channel while waiting (a FileChannel is interruptible)
        channel = null;
        InterruptedIOException ie = new InterruptedIOException("interrupted while waiting for the lock on " + file);
        ie.initCause(e);
        throw ie;
      }
    }

    /** Leaves the admitted threads; the last one releases the OS lock. */
    synchronized void leave(boolean shared) throws IOException {
      if (shared) {
        readers--;
      } else {
        writer = false;
      }
      notifyAll();
      if (readers == 0 && !writer && os != null) {
        FileLock l = os;
        os = null;
        if (l.isValid()) {
          l.release();
        }
      }
    }
  }

  private final PerFile perFile;
  private final boolean shared;
  private boolean released;

  private WaitingLock(PerFile perFile, boolean shared) {
    this.perFile = perFile;
    this.shared = shared;
  }

  /**
   * Locks {@code file} shared (beside other shared holders), waiting while anyone holds it
   * exclusively. Missing parent directories are made.
   *
   * @throws InterruptedIOException if the thread is interrupted while waiting
   */
  public static WaitingLock shared(Path file) throws IOException {
    return acquire(file, true);
  }

  /**
   * Locks {@code file} exclusively, waiting while anyone else holds it. Missing parent directories
   * are made.
   *
   * @throws InterruptedIOException if the thread is interrupted while waiting
   */
  public static WaitingLock exclusive(Path file) throws IOException {
    return acquire(file, false);
  }

  private static WaitingLock acquire(Path file, boolean shared) throws IOException {
    Path absolute = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("a lock file needs a parent directory: " + file);
    }
    Files.createDirectories(parent);
    Path key = parent.toRealPath().resolve(absolute.getFileName());
    PerFile p;
    synchronized (FILES) {
      p = FILES.computeIfAbsent(key, PerFile::new);
      p.users++;
    }
    try {
      p.admit(shared);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      forget(p);
      throw new InterruptedIOException("interrupted while waiting for the lock on " + key);
    }
    try {
      p.take(shared);
      return new WaitingLock(p, shared);
    } catch (IOException | RuntimeException e) {
      try {
        p.leave(shared);
      } finally {
        forget(p);
      }
      throw e;
    }
  }

  /** One user of the file less; the last one closes its channel. */
  private static void forget(PerFile p) throws IOException {
    synchronized (FILES) {
      if (--p.users == 0) {
        FILES.remove(p.file);
        synchronized (p) {
          if (p.channel != null) {
            p.channel.close();
            p.channel = null;
          }
        }
      }
    }
  }

  /** The lock file, absolute. */
  public Path file() {
    return perFile.file;
  }

  /** Whether this is a shared lock (else exclusive). */
  public boolean isShared() {
    return shared;
  }

  /** Releases the lock; a second call does nothing. */
  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (released) {
        return;
      }
      released = true;
    }
    try {
      perFile.leave(shared);
    } finally {
      forget(perFile);
    }
  }

  @Override
  public String toString() {
    return (shared ? "shared" : "exclusive") + " lock on " + perFile.file;
  }
}
