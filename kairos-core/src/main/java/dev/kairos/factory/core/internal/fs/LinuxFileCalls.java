package dev.kairos.factory.core.internal.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Owner, mode and modification time set by path with one libc call each ({@code lchown},
 * {@code chmod}, {@code utimensat} with {@code AT_SYMLINK_NOFOLLOW}). The JDK takes two
 * {@code lchown}s for an owner, and opens the file to change its mode or times (open, fstat,
 * the call, close): unpacking a layer of thirty thousand files spent most of its system calls
 * there. By path, a FIFO or a device node is never opened either. The calls by descriptor
 * ({@code openat}, {@code mkdirat}, {@code fchown}, ...) serve {@link DirectoryFds}: new entries
 * made relative to an open directory, with no path to resolve again.
 */
final class LinuxFileCalls {
  /** {@code openat}'s directory for "relative to the working directory". */
  static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  /** Linux errno values, the same on x86-64 and aarch64. */
  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int EACCES = 13;
  static final int EEXIST = 17;
  static final int ENOTDIR = 20;
  static final int ELOOP = 40;
  private static final int EINTR = 4;
  private static final int ENOSPC = 28;
  /** {@code utimensat}'s "leave this time alone". */
  private static final long UTIME_OMIT = (1L << 30) - 2;

  private static final boolean AVAILABLE = load();

  private LinuxFileCalls() {}

  /** Whether the calls could be bound (Linux, 64-bit, JNA's native part loads). */
  static boolean available() {
    return AVAILABLE;
  }

  /** Sets the owner of {@code host} itself (a symlink is not followed). */
  static void lchown(Path host, int uid, int gid) throws IOException {
    try {
      Lib.lchown(LinuxXattrs.cPath(host), uid, gid);
    } catch (LastErrorException e) {
      throw failure(host, "lchown", e);
    }
  }

  /** Sets the whole 12-bit mode of {@code host}, which must not be a symlink (chmod follows one). */
  static void chmod(Path host, int mode) throws IOException {
    try {
      Lib.chmod(LinuxXattrs.cPath(host), mode);
    } catch (LastErrorException e) {
      throw failure(host, "chmod", e);
    }
  }

  /** Sets the modification time of {@code host} itself (a symlink is not followed); the access time is left. */
  static void setMtime(Path host, Instant mtime) throws IOException {
    long[] times = {0, UTIME_OMIT, mtime.getEpochSecond(), mtime.getNano()};
    try {
      Lib.utimensat(AT_FDCWD, LinuxXattrs.cPath(host), times, AT_SYMLINK_NOFOLLOW);
    } catch (LastErrorException e) {
      throw failure(host, "utimensat", e);
    }
  }

  // ---------------------------------------------------------------- by descriptor

  /** Opens {@code name} relative to {@code dirFd} ({@code -100}, {@code AT_FDCWD}: the working directory); returns the fd. */
  static int openat(int dirFd, byte[] name, int flags, int mode) throws LastErrorException {
    return Lib.openat(dirFd, name, flags, mode);
  }

  static void close(int fd) {
    try {
      Lib.close(fd);
    } catch (LastErrorException e) {
      // nothing was written through a directory fd; a file's close error is taken by closeFile
    }
  }

  /** Closes a file written through {@code fd}, where a late write error would be reported. */
  static void closeFile(int fd) throws LastErrorException {
    Lib.close(fd);
  }

  /** Writes all {@code len} bytes at {@code buf}, however many calls that takes. */
  static void writeAll(int fd, Pointer buf, long len) throws LastErrorException {
    long off = 0;
    while (off < len) {
      long n;
      try {
        n = Lib.write(fd, buf.share(off), len - off);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == EINTR) {
          continue;
        }
        throw e;
      }
      if (n == 0) {
        throw new LastErrorException(ENOSPC); // a regular file that takes no byte has no room
      }
      off += n;
    }
  }

  static void mkdirat(int dirFd, byte[] name, int mode) throws LastErrorException {
    Lib.mkdirat(dirFd, name, mode);
  }

  static void symlinkat(byte[] target, int dirFd, byte[] name) throws LastErrorException {
    Lib.symlinkat(target, dirFd, name);
  }

  static void fchown(int fd, int uid, int gid) throws LastErrorException {
    Lib.fchown(fd, uid, gid);
  }

  static void fchmod(int fd, int mode) throws LastErrorException {
    Lib.fchmod(fd, mode);
  }

  /** The owner of {@code name} in {@code dirFd} itself: a symlink is not followed. */
  static void lchownat(int dirFd, byte[] name, int uid, int gid) throws LastErrorException {
    Lib.fchownat(dirFd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
  }

  static void futimens(int fd, Instant mtime) throws LastErrorException {
    Lib.futimens(fd, new long[] {0, UTIME_OMIT, mtime.getEpochSecond(), mtime.getNano()});
  }

  /** The modification time of {@code name} in {@code dirFd} itself: a symlink is not followed. */
  static void lutimensat(int dirFd, byte[] name, Instant mtime) throws LastErrorException {
    Lib.utimensat(dirFd, name, new long[] {0, UTIME_OMIT, mtime.getEpochSecond(), mtime.getNano()}, AT_SYMLINK_NOFOLLOW);
  }

  private static IOException failure(Path host, String call, LastErrorException e) {
    return failure(host.toString(), call, e);
  }

  /** The JDK's exception for {@code call}'s errno on {@code file}, as {@code java.nio.file} would throw it. */
  static IOException failure(String file, String call, LastErrorException e) {
    return switch (e.getErrorCode()) {
      case EEXIST -> new FileAlreadyExistsException(file);
      case ENOENT -> new NoSuchFileException(file);
      case EPERM, EACCES -> new AccessDeniedException(file, null, call + " refused (errno " + e.getErrorCode() + ")");
      default -> new IOException(file + ": " + call + " failed (errno " + e.getErrorCode() + ")", e);
    };
  }

  private static boolean load() {
    try {
      if (!Platform.isLinux() || Native.SIZE_T_SIZE != 8 || Native.LONG_SIZE != 8) {
        return false;
      }
      Native.register(Lib.class, Platform.C_LIBRARY_NAME);
      return true;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | IllegalStateException e) {
      return false; // the JDK's calls are used then
    }
  }

  /** Direct-mapped libc calls; a {@code struct timespec[2]} is four 64-bit longs where this is bound. */
  private static final class Lib {
    static native int lchown(byte[] path, int uid, int gid) throws LastErrorException;

    static native int chmod(byte[] path, int mode) throws LastErrorException;

    static native int utimensat(int dirfd, byte[] path, long[] times, int flags) throws LastErrorException;

    // openat is variadic in C; the mode is read only with O_CREAT, and an int passes as a fixed
    // argument would on the ABIs bound here (x86-64 and aarch64 Linux).
    static native int openat(int dirfd, byte[] path, int flags, int mode) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native long write(int fd, Pointer buf, long count) throws LastErrorException;

    static native int mkdirat(int dirfd, byte[] path, int mode) throws LastErrorException;

    static native int symlinkat(byte[] target, int dirfd, byte[] path) throws LastErrorException;

    static native int fchown(int fd, int uid, int gid) throws LastErrorException;

    static native int fchmod(int fd, int mode) throws LastErrorException;

    static native int fchownat(int dirfd, byte[] path, int uid, int gid, int flags) throws LastErrorException;

    static native int futimens(int fd, long[] times) throws LastErrorException;
  }
}
