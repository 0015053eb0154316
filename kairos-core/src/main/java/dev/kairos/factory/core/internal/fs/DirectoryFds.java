package dev.kairos.factory.core.internal.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.ImagePath;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Open directories of one root, for a writer that makes many new entries in a row (a layer
 * unpack). Each directory is reached from its parent's descriptor with {@code O_NOFOLLOW}, so no
 * symlink is ever followed on the way: a path that runs through one gets no descriptor here, and
 * the caller resolves it inside the root as before. A new file, directory or symlink is then made
 * relative to its directory's descriptor and its owner, mode and time set through its own
 * descriptor: about six system calls a file, where resolving and re-resolving its path took twenty.
 *
 * <p>At most {@value #MAX_OPEN} directories are held open, the least recently used closed first.
 * A descriptor keeps naming the directory it was opened on, wherever that goes; the caller must
 * {@link #forgetAll} when a path it may have opened is removed or replaced. Linux on x86-64 and
 * aarch64 only, as root ({@link #available}); not for use by several threads.
 */
public final class DirectoryFds implements Closeable {
  private static final int MAX_OPEN = 64;
  private static final int BUFFER = 1 << 20;

  private static final int O_WRONLY = 01;
  private static final int O_CREAT = 0100;
  private static final int O_EXCL = 0200;
  private static final int O_CLOEXEC = 02000000;
  /** {@code O_DIRECTORY} and {@code O_NOFOLLOW} are numbered differently on x86-64 and aarch64. */
  private static final int O_DIRECTORY;
  private static final int O_NOFOLLOW;
  private static final boolean KNOWN_ARCH;


  static {
    boolean x86 = Platform.isLinux() && Platform.is64Bit() && Platform.isIntel();
    boolean arm = Platform.isLinux() && Platform.is64Bit() && Platform.isARM();
    KNOWN_ARCH = x86 || arm;
    O_DIRECTORY = arm ? 040000 : 0200000;
    O_NOFOLLOW = arm ? 0100000 : 0400000;
  }

  private final Path root;
  private final Map<ImagePath, Integer> open = new LinkedHashMap<>(MAX_OPEN * 2, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<ImagePath, Integer> eldest) {
      if (size() > MAX_OPEN) {
        LinuxFileCalls.close(eldest.getValue());
        return true;
      }
      return false;
    }
  };
  private byte[] chunk;
  private Memory buffer;

  /** For the real directory {@code root}, the host directory of a root file system. */
  public DirectoryFds(Path root) {
    this.root = root;
  }

  /** Whether the calls are there: Linux on x86-64 or aarch64, with JNA's native part. */
  public static boolean available() {
    return KNOWN_ARCH && LinuxFileCalls.available();
  }

  /**
   * The descriptor of the in-image directory {@code dir}, reached one component at a time without
   * following a symlink; {@code -1} if a component is missing, a symlink or not a directory.
   */
  public int directory(ImagePath dir) throws IOException {
    Integer fd = open.get(dir);
    if (fd != null) {
      return fd;
    }
    int opened;
    if (dir.isRoot()) {
      try {
        // The root's own host path is real (RootFs took it through toRealPath): following it is safe.
        opened = LinuxFileCalls.openat(LinuxFileCalls.AT_FDCWD, LinuxXattrs.cPath(root), O_DIRECTORY | O_CLOEXEC, 0);
      } catch (LastErrorException e) {
        throw failure(dir, "open", e);
      }
    } else {
      int parent = directory(dir.parent());
      byte[] name = LinuxXattrs.cName(dir.fileName());
      if (parent < 0 || name == null) {
        return -1;
      }
      try {
        opened = LinuxFileCalls.openat(parent, name, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == LinuxFileCalls.ENOENT || e.getErrorCode() == LinuxFileCalls.ENOTDIR
            || e.getErrorCode() == LinuxFileCalls.ELOOP) {
          return -1;
        }
        throw failure(dir, "open", e);
      }
    }
    open.put(dir, opened);
    return opened;
  }

  /**
   * Creates the regular file {@code name} (the last name of {@code path}) in the directory
   * {@code dirFd}, with {@code content} read to its end, then its owner, mode and time.
   *
   * @throws FileAlreadyExistsException if anything is at that name
   */
  public void createFile(int dirFd, ImagePath path, byte[] name, FileMetadata m, InputStream content)
      throws IOException {
    int fd;
    try {
      fd = LinuxFileCalls.openat(dirFd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    } catch (LastErrorException e) {
      throw failure(path, "create", e);
    }
    boolean closed = false;
    try {
      if (chunk == null) {
        chunk = new byte[BUFFER];
        buffer = new Memory(BUFFER);
      }
      for (int n; (n = content.readNBytes(chunk, 0, BUFFER)) > 0; ) {
        buffer.write(0, chunk, 0, n);
        LinuxFileCalls.writeAll(fd, buffer, n);
      }
      // Owner before mode: chown(2) clears setuid and setgid.
      LinuxFileCalls.fchown(fd, m.uid(), m.gid());
      LinuxFileCalls.fchmod(fd, m.mode());
      LinuxFileCalls.futimens(fd, m.mtime());
      closed = true;
      LinuxFileCalls.closeFile(fd);
    } catch (LastErrorException e) {
      throw failure(path, "write", e);
    } finally {
      if (!closed) {
        LinuxFileCalls.close(fd);
      }
    }
  }

  /**
   * Creates the directory {@code dir} (last name {@code name}) in {@code parentFd} with its owner,
   * mode and time, and keeps it open for the entries that go into it.
   *
   * @throws FileAlreadyExistsException if anything is at that name
   */
  public void createDirectory(int parentFd, ImagePath dir, byte[] name, FileMetadata m) throws IOException {
    int fd;
    try {
      LinuxFileCalls.mkdirat(parentFd, name, 0700);
      fd = LinuxFileCalls.openat(parentFd, name, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw failure(dir, "mkdir", e);
    }
    try {
      LinuxFileCalls.fchown(fd, m.uid(), m.gid());
      LinuxFileCalls.fchmod(fd, m.mode());
      LinuxFileCalls.futimens(fd, m.mtime());
    } catch (LastErrorException e) {
      LinuxFileCalls.close(fd);
      throw failure(dir, "setting metadata", e);
    }
    Integer before = open.put(dir, fd);
    if (before != null) {
      LinuxFileCalls.close(before); // a directory of that name was removed since, by someone else
    }
  }

  /**
   * Creates the symlink {@code name} (of {@code link}) to {@code target} in {@code dirFd}, with the
   * owner and time of {@code m} (a symlink's mode means nothing on Linux).
   *
   * @throws FileAlreadyExistsException if anything is at that name
   */
  public void createSymlink(int dirFd, ImagePath link, byte[] name, byte[] target, FileMetadata m) throws IOException {
    try {
      LinuxFileCalls.symlinkat(target, dirFd, name);
      LinuxFileCalls.lchownat(dirFd, name, m.uid(), m.gid());
      LinuxFileCalls.lutimensat(dirFd, name, m.mtime());
    } catch (LastErrorException e) {
      throw failure(link, "symlink", e);
    }
  }

  /** Sets the modification time of the directory open as {@code fd}. */
  public void setMtime(int fd, ImagePath dir, java.time.Instant mtime) throws IOException {
    try {
      LinuxFileCalls.futimens(fd, mtime);
    } catch (LastErrorException e) {
      throw failure(dir, "utimensat", e);
    }
  }

  /** {@code name} as the kernel takes it, NUL-terminated; null if the JDK could not encode it either. */
  public static byte[] cName(String name) {
    return LinuxXattrs.cName(name);
  }

  /** Closes every directory held open; later calls open them again. */
  public void forgetAll() {
    List<Integer> fds = new ArrayList<>(open.values());
    open.clear();
    fds.forEach(LinuxFileCalls::close);
  }

  @Override
  public void close() {
    forgetAll();
  }

  private static IOException failure(ImagePath path, String call, LastErrorException e) {
    return LinuxFileCalls.failure(path.toString(), call, e);
  }
}
