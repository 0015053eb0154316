package dev.kairos.factory.oci.internal.tar;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One member of a tar archive, with the POSIX.1-2001 (PAX) and GNU extensions already folded in:
 * {@link #name()} and {@link #linkName()} are the full names, {@link #xattrs()} the
 * {@code SCHILY.xattr.*} records as raw bytes.
 */
public final class TarEntry {
  /** The member kinds a container layer may hold. */
  public enum Kind {
    REGULAR('0'),
    HARDLINK('1'),
    SYMLINK('2'),
    CHAR_DEVICE('3'),
    BLOCK_DEVICE('4'),
    DIRECTORY('5'),
    FIFO('6');

    final char flag;

    Kind(char flag) {
      this.flag = flag;
    }
  }

  private final String name;
  private final Kind kind;
  private final int mode;
  private final int uid;
  private final int gid;
  private final long size;
  private final Instant mtime;
  private final String linkName;
  private final int deviceMajor;
  private final int deviceMinor;
  private final SortedMap<String, byte[]> xattrs;

  public TarEntry(String name, Kind kind, int mode, int uid, int gid, long size, Instant mtime,
      String linkName, int deviceMajor, int deviceMinor, Map<String, byte[]> xattrs) {
    this.name = Objects.requireNonNull(name, "name");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    this.size = size;
    this.mtime = Objects.requireNonNull(mtime, "mtime");
    this.linkName = linkName == null ? "" : linkName;
    this.deviceMajor = deviceMajor;
    this.deviceMinor = deviceMinor;
    this.xattrs = Collections.unmodifiableSortedMap(new TreeMap<>(xattrs));
  }

  /** The member name exactly as archived (may start with {@code ./}, directories may end with {@code /}). */
  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  /** Permission bits with setuid, setgid and sticky (0 to 07777). */
  public int mode() {
    return mode;
  }

  public int uid() {
    return uid;
  }

  public int gid() {
    return gid;
  }

  /** Content size for a regular file, else 0. */
  public long size() {
    return size;
  }

  public Instant mtime() {
    return mtime;
  }

  /** The symlink target or the hardlinked member name; empty for other kinds. */
  public String linkName() {
    return linkName;
  }

  public int deviceMajor() {
    return deviceMajor;
  }

  public int deviceMinor() {
    return deviceMinor;
  }

  /** Extended attributes by full name, values as raw bytes. */
  public SortedMap<String, byte[]> xattrs() {
    return xattrs;
  }

  @Override
  public String toString() {
    return kind + " " + name + (linkName.isEmpty() ? "" : " -> " + linkName);
  }
}
