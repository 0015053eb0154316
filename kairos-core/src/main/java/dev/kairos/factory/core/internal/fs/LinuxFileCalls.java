package dev.kairos.factory.core.internal.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Owner, mode and modification time set by path with one libc call each ({@code lchown},
 * {@code chmod}, {@code utimensat} with {@code AT_SYMLINK_NOFOLLOW}). The JDK takes two
 * {@code lchown}s for an owner, and opens the file to change its mode or times (open, fstat,
 * the call, close): unpacking a layer of thirty thousand files spent most of its system calls
 * there. By path, a FIFO or a device node is never opened either.
 */
final class LinuxFileCalls {
  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final int ENOENT = 2;
  private static final int EPERM = 1;
  private static final int EACCES = 13;
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

  private static IOException failure(Path host, String call, LastErrorException e) {
    return switch (e.getErrorCode()) {
      case ENOENT -> new NoSuchFileException(host.toString());
      case EPERM, EACCES -> new AccessDeniedException(host.toString(), null, call + " refused (errno " + e.getErrorCode() + ")");
      default -> new IOException(host + ": " + call + " failed (errno " + e.getErrorCode() + ")", e);
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
  }
}
