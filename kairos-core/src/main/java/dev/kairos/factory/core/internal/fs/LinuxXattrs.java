package dev.kairos.factory.core.internal.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Extended attributes of files on a real Linux file system, through libc's {@code llistxattr},
 * {@code lgetxattr}, {@code lsetxattr} and {@code lremovexattr}: every namespace the kernel lets
 * this process see ({@code user.}, {@code security.}, {@code trusted.} as root), and never through
 * a symlink (the {@code l} calls act on the link itself). The JDK's user-defined attribute view
 * only reaches {@code user.}, which would lose file capabilities.
 *
 * <p>Kept: {@code user.}, {@code trusted.} and {@code security.} names, the namespaces squashfs and
 * OCI layers carry. Skipped: {@code security.selinux}, a label of the host's policy rather than of
 * the image, and {@code system.} (POSIX ACLs, a model of their own).
 */
final class LinuxXattrs {
  private static final int ERANGE = 34;
  private static final int ENODATA = 61;
  private static final int ENOTSUP = 95;
  private static final int ENOENT = 2;
  private static final int EPERM = 1;
  private static final int EACCES = 13;
  private static final int ENOSPC = 28;
  private static final int E2BIG = 7;
  private static final int EINVAL = 22;

  private static final boolean AVAILABLE = load();
  /** How the JDK turns a path string into the bytes it hands the kernel. */
  private static final Charset PATH_CHARSET = pathCharset();

  private LinuxXattrs() {}

  /** Whether the native calls could be bound (Linux, 64-bit, JNA's native part loads). */
  static boolean available() {
    return AVAILABLE;
  }

  /** Whether this file system can hold {@code name} and this class reads it back. */
  static boolean carries(String name) {
    return (name.startsWith("user.") || name.startsWith("trusted.") || name.startsWith("security."))
        && !name.equals("security.selinux");
  }

  /** The carried extended attributes of {@code host} itself, sorted by name. */
  static SortedMap<String, byte[]> read(Path host) throws IOException {
    byte[] path = cPath(host);
    byte[] list = listNames(host, path);
    if (list.length == 0) {
      return Collections.emptySortedMap();
    }
    SortedMap<String, byte[]> out = new TreeMap<>();
    int start = 0;
    for (int i = 0; i < list.length; i++) {
      if (list[i] != 0) {
        continue;
      }
      String name = new String(list, start, i - start, StandardCharsets.UTF_8);
      byte[] cName = Arrays.copyOfRange(list, start, i + 1);
      start = i + 1;
      if (carries(name)) {
        byte[] value = value(host, path, cName);
        if (value != null) {
          out.put(name, value);
        }
      }
    }
    return out;
  }

  /**
   * Makes the carried attributes of {@code host} exactly {@code wanted}. Returns false, leaving the
   * file's attributes possibly half changed, when the file system or the kernel refuses (no
   * support, no privilege for the namespace, a user attribute on a symlink, a value the kernel
   * checks and rejects, no room): the caller
   * then keeps the whole set in its overlay.
   */
  static boolean write(Path host, Map<String, byte[]> wanted) throws IOException {
    for (String name : wanted.keySet()) {
      if (!carries(name)) {
        return false;
      }
    }
    SortedMap<String, byte[]> current = read(host);
    byte[] path = cPath(host);
    try {
      for (String name : current.keySet()) {
        if (!wanted.containsKey(name)) {
          Lib.lremovexattr(path, cString(name));
        }
      }
      for (Map.Entry<String, byte[]> e : wanted.entrySet()) {
        if (!Arrays.equals(e.getValue(), current.get(e.getKey()))) {
          byte[] v = e.getValue();
          Lib.lsetxattr(path, cString(e.getKey()), v, v.length, 0);
        }
      }
      return true;
    } catch (LastErrorException e) {
      int errno = e.getErrorCode();
      // EINVAL: a value the kernel will not take as it is (a malformed security.capability)
      if (errno == ENOTSUP || errno == EPERM || errno == EACCES || errno == ENOSPC || errno == E2BIG || errno == ERANGE
          || errno == EINVAL) {
        return false;
      }
      throw failure(host, "setting extended attributes", e);
    }
  }

  /** The NUL-separated name list, empty when there is none or the file system has no xattrs. */
  private static byte[] listNames(Path host, byte[] path) throws IOException {
    for (int attempt = 0; attempt < 8; attempt++) {
      try {
        long size = Lib.llistxattr(path, null, 0);
        if (size == 0) {
          return new byte[0];
        }
        byte[] buf = new byte[(int) size];
        long n = Lib.llistxattr(path, buf, buf.length);
        return n == buf.length ? buf : Arrays.copyOf(buf, (int) n);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == ENOTSUP) {
          return new byte[0];
        }
        if (e.getErrorCode() != ERANGE) {
          throw failure(host, "listing extended attributes", e);
        }
        // the list grew between the two calls: ask again
      }
    }
    throw new IOException(host + ": extended attribute list keeps changing");
  }

  /** The value of one attribute, or null if it went away meanwhile. */
  private static byte[] value(Path host, byte[] path, byte[] cName) throws IOException {
    for (int attempt = 0; attempt < 8; attempt++) {
      try {
        long size = Lib.lgetxattr(path, cName, null, 0);
        byte[] buf = new byte[(int) size];
        long n = Lib.lgetxattr(path, cName, buf, buf.length);
        return n == buf.length ? buf : Arrays.copyOf(buf, (int) n);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == ENODATA) {
          return null;
        }
        if (e.getErrorCode() != ERANGE) {
          throw failure(host, "reading extended attribute " + new String(cName, 0, cName.length - 1, StandardCharsets.UTF_8), e);
        }
      }
    }
    throw new IOException(host + ": extended attribute keeps changing");
  }

  private static IOException failure(Path host, String what, LastErrorException e) {
    if (e.getErrorCode() == ENOENT) {
      return new NoSuchFileException(host.toString());
    }
    return new IOException(host + ": " + what + " failed (errno " + e.getErrorCode() + ")", e);
  }

  static byte[] cPath(Path host) {
    return cString(host.toString(), PATH_CHARSET);
  }

  /**
   * One file name as the JDK would hand it to the kernel, NUL-terminated; null if it has a
   * character that charset cannot encode (the JDK refuses such a name as a path, too).
   */
  static byte[] cName(String name) {
    CharsetEncoder enc = PATH_CHARSET.newEncoder();
    if (!enc.canEncode(name)) {
      return null;
    }
    return cString(name, PATH_CHARSET);
  }

  private static byte[] cString(String s) {
    return cString(s, StandardCharsets.UTF_8);
  }

  private static byte[] cString(String s, Charset cs) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(s.length() + 1);
    b.writeBytes(s.getBytes(cs));
    b.write(0);
    return b.toByteArray();
  }

  private static Charset pathCharset() {
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (RuntimeException e) {
      return StandardCharsets.UTF_8;
    }
  }

  private static boolean load() {
    try {
      if (!Platform.isLinux() || Native.SIZE_T_SIZE != 8) {
        return false;
      }
      Native.register(Lib.class, Platform.C_LIBRARY_NAME);
      return true;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | IllegalStateException e) {
      return false; // the overlay keeps xattrs then, as on any store without them
    }
  }

  /** Direct-mapped libc calls; {@code size_t}/{@code ssize_t} are 64-bit where this is bound. */
  private static final class Lib {
    static native long llistxattr(byte[] path, byte[] list, long size) throws LastErrorException;

    static native long lgetxattr(byte[] path, byte[] name, byte[] value, long size) throws LastErrorException;

    static native int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags) throws LastErrorException;

    static native int lremovexattr(byte[] path, byte[] name) throws LastErrorException;
  }
}
