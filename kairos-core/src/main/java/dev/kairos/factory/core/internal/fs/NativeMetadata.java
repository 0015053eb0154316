package dev.kairos.factory.core.internal.fs;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.internal.run.HostTool;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * What the backing store of a root can hold natively, and the calls that read and write it there.
 * Privileged means: a real directory on the default file system, and this process is root; then
 * owners, the full mode and special files are applied for real. Otherwise they go to the overlay,
 * and only the nine permission bits are mirrored on the backing store (widened so that the owner
 * can still read and write, as fakeroot does). Extended attributes are read and written on any
 * real directory of a Linux host, as far as the kernel lets this process; what it refuses goes
 * to the overlay.
 */
public final class NativeMetadata {
  private final boolean privileged;
  private final boolean unixView;
  private final boolean posixView;
  private final boolean defaultFs;
  private final boolean xattrs;

  private NativeMetadata(boolean privileged, boolean unixView, boolean posixView, boolean defaultFs) {
    this.privileged = privileged;
    this.unixView = unixView;
    this.posixView = posixView;
    this.defaultFs = defaultFs;
    this.xattrs = defaultFs && LinuxXattrs.available();
  }

  /** Probes what the file system of {@code root} supports. */
  public static NativeMetadata probe(Path root) {
    Set<String> views = root.getFileSystem().supportedFileAttributeViews();
    boolean defaultFs = root.getFileSystem() == FileSystems.getDefault();
    boolean unix = views.contains("unix");
    return new NativeMetadata(defaultFs && unix && ProcessIdentity.isRoot(), unix, views.contains("posix"), defaultFs);
  }

  public boolean privileged() {
    return privileged;
  }

  /** Fills mode, owner and device numbers of {@code host} into {@code b}, as far as the store knows them. */
  public void read(Path host, FileType type, FileMetadata.Builder b) throws IOException {
    if (type == FileType.SYMLINK) {
      if (privileged) {
        Map<String, Object> a = Files.readAttributes(host, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
        b.uid((Integer) a.get("uid")).gid((Integer) a.get("gid"));
      }
      return;
    }
    if (unixView && defaultFs) {
      // One lstat for all of them: a walk reads this for every entry of a tree.
      Map<String, Object> a = Files.readAttributes(host, privileged ? "unix:mode,uid,gid,rdev" : "unix:mode,rdev",
          LinkOption.NOFOLLOW_LINKS);
      b.mode((Integer) a.get("mode") & 07777);
      if (privileged) {
        b.uid((Integer) a.get("uid")).gid((Integer) a.get("gid"));
      }
      if (type.isDevice()) {
        long rdev = (Long) a.get("rdev");
        b.device(major(rdev), minor(rdev));
      }
    } else if (posixView) {
      b.mode(toBits(Files.getPosixFilePermissions(host, LinkOption.NOFOLLOW_LINKS)));
    }
  }

  /** The extended attributes {@code host} itself holds on disk; empty where the store has none. */
  public SortedMap<String, byte[]> readXattrs(Path host) throws IOException {
    return xattrs ? LinuxXattrs.read(host) : Collections.emptySortedMap();
  }

  /**
   * Makes the extended attributes of {@code host} on disk exactly {@code wanted}; false if the
   * store cannot hold them (no xattrs here, or a namespace the kernel refuses this process), and
   * then they must be kept in the overlay.
   */
  public boolean writeXattrs(Path host, Map<String, byte[]> wanted) throws IOException {
    return xattrs ? LinuxXattrs.write(host, wanted) : wanted.isEmpty();
  }

  /** The type of a file that is neither a directory, a regular file nor a symlink. */
  public FileType typeOf(Path host) throws IOException {
    if (unixView) {
      return FileType.fromMode((Integer) Files.getAttribute(host, "unix:mode", LinkOption.NOFOLLOW_LINKS));
    }
    throw new KairosException(host + ": file of unknown type");
  }

  /** The number of names of the file, or 1 where the store cannot tell. */
  public int linkCount(Path host) throws IOException {
    if (!unixView) {
      return 1;
    }
    return (Integer) Files.getAttribute(host, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
  }

  /** Applies the owner natively; false if it must be kept in the overlay. */
  public boolean writeOwner(Path host, int uid, int gid) throws IOException {
    if (!privileged) {
      return false;
    }
    if (LinuxFileCalls.available()) {
      LinuxFileCalls.lchown(host, uid, gid);
      return true;
    }
    Files.setAttribute(host, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(host, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    return true;
  }

  /** Applies the mode natively; false if (part of) it must be kept in the overlay. */
  public boolean writeMode(Path host, FileType type, int mode) throws IOException {
    if (privileged) {
      if (LinuxFileCalls.available()) {
        LinuxFileCalls.chmod(host, mode); // by path: never opens the file, a FIFO or a device included
      } else if (isNode(type)) {
        // The JDK opens a file to chmod it: that blocks on a FIFO and opens a real device.
        runTool("chmod", Integer.toOctalString(mode), host.toString());
      } else {
        // chmod(2) through the unix view keeps setuid/setgid/sticky, which PosixFilePermission cannot express.
        Files.setAttribute(host, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
      }
      return true;
    }
    if (posixView) {
      int mirrored = mode & 0777;
      if (defaultFs) {
        mirrored |= type == FileType.DIRECTORY ? 0700 : 0600;
      }
      Files.setPosixFilePermissions(host, fromBits(mirrored));
    }
    return false;
  }

  /** Sets the modification time of the file itself (a symlink is not followed). */
  public void writeMtime(Path host, FileType type, Instant mtime) throws IOException {
    if (defaultFs && LinuxFileCalls.available()) {
      LinuxFileCalls.setMtime(host, mtime);
      return;
    }
    if (defaultFs && isNode(type)) {
      // As with chmod, the JDK would open the node. touch -c -h sets the time by path (utimensat).
      runTool("touch", "-c", "-h", "-m", "-d", "@" + mtime.getEpochSecond() + "." + String.format("%09d", mtime.getNano()),
          host.toString());
      return;
    }
    Files.getFileAttributeView(host, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(FileTime.from(mtime), null, null);
  }

  /** Makes a device node or FIFO for real (privileged only). */
  public void makeNode(Path host, FileMetadata m) throws IOException {
    String mode = Integer.toOctalString(m.mode());
    if (m.type() == FileType.FIFO) {
      runTool("mkfifo", "-m", mode, host.toString());
    } else {
      runTool("mknod", "-m", mode, host.toString(), m.type() == FileType.CHAR_DEVICE ? "c" : "b",
          Integer.toString(m.deviceMajor()), Integer.toString(m.deviceMinor()));
    }
  }

  /** Device nodes, FIFOs and sockets: files the JDK must not open to change their metadata. */
  private static boolean isNode(FileType type) {
    return type.isDevice() || type == FileType.FIFO || type == FileType.SOCKET;
  }

  private static void runTool(String... argv) throws IOException {
    HostTool.run(Duration.ofSeconds(30), argv);
  }

  /** Linux's encoding of dev_t (glibc's gnu_dev_major). */
  static int major(long rdev) {
    return (int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL));
  }

  /** Linux's encoding of dev_t (glibc's gnu_dev_minor). */
  static int minor(long rdev) {
    return (int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL));
  }

  static int toBits(Set<PosixFilePermission> perms) {
    int bits = 0;
    for (PosixFilePermission p : perms) {
      bits |= 0400 >> p.ordinal();
    }
    return bits;
  }

  static Set<PosixFilePermission> fromBits(int bits) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : PosixFilePermission.values()) {
      if ((bits & (0400 >> p.ordinal())) != 0) {
        set.add(p);
      }
    }
    return set;
  }

  @Override
  public String toString() {
    return privileged ? "native metadata" : "overlaid metadata";
  }
}
