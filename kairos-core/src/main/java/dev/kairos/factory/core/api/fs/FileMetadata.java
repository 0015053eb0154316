package dev.kairos.factory.core.api.fs;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Unix metadata of one file in an image: type, the full 12-bit mode (with setuid, setgid and
 * sticky), numeric owner, modification time, size, device numbers and extended attributes. Every
 * archive and file-system writer of the library takes ownership and modes from here, never from
 * the host.
 *
 * <pre>{@code
 * FileMetadata m = FileMetadata.builder(FileType.REGULAR).mode(04755).uid(0).gid(0).build();
 * m.toBuilder().mode(0644).build();
 * }</pre>
 */
public final class FileMetadata {
  private final FileType type;
  private final int mode;
  private final int uid;
  private final int gid;
  private final Instant mtime;
  private final long size;
  private final int deviceMajor;
  private final int deviceMinor;
  private final SortedMap<String, byte[]> xattrs;

  private FileMetadata(Builder b) {
    this.type = b.type;
    this.mode = b.mode;
    this.uid = b.uid;
    this.gid = b.gid;
    this.mtime = b.mtime;
    this.size = b.size;
    this.deviceMajor = b.deviceMajor;
    this.deviceMinor = b.deviceMinor;
    TreeMap<String, byte[]> copy = new TreeMap<>();
    b.xattrs.forEach((k, v) -> copy.put(k, v.clone()));
    this.xattrs = Collections.unmodifiableSortedMap(copy);
  }

  /** A builder with the usual defaults for {@code type}: root-owned, 0755 for directories, 0644 otherwise, epoch mtime. */
  public static Builder builder(FileType type) {
    return new Builder(type);
  }

  /** A builder with these values, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder(type).mode(mode).uid(uid).gid(gid).mtime(mtime).size(size);
    b.deviceMajor = deviceMajor;
    b.deviceMinor = deviceMinor;
    xattrs.forEach(b::xattr);
    return b;
  }

  /** The kind of file. */
  public FileType type() {
    return type;
  }

  /** The permission bits with setuid ({@code 04000}), setgid ({@code 02000}) and sticky ({@code 01000}): 0 to 07777. */
  public int mode() {
    return mode;
  }

  /** {@code st_mode} as the kernel and archive formats write it: type bits and permission bits. */
  public int stMode() {
    return type.modeBits() | mode;
  }

  /** The owner's user id. */
  public int uid() {
    return uid;
  }

  /** The owner's group id. */
  public int gid() {
    return gid;
  }

  /** The modification time. */
  public Instant mtime() {
    return mtime;
  }

  /** The content size in bytes for a regular file, the target length for a symlink, else 0. */
  public long size() {
    return size;
  }

  /** The device's major number; 0 unless the type is a device. */
  public int deviceMajor() {
    return deviceMajor;
  }

  /** The device's minor number; 0 unless the type is a device. */
  public int deviceMinor() {
    return deviceMinor;
  }

  /** The extended attributes by full name ({@code security.capability}, {@code user.x}), sorted; values are copies. */
  public SortedMap<String, byte[]> xattrs() {
    TreeMap<String, byte[]> copy = new TreeMap<>();
    xattrs.forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FileMetadata)) {
      return false;
    }
    FileMetadata m = (FileMetadata) o;
    if (type != m.type || mode != m.mode || uid != m.uid || gid != m.gid || size != m.size
        || deviceMajor != m.deviceMajor || deviceMinor != m.deviceMinor || !mtime.equals(m.mtime)
        || !xattrs.keySet().equals(m.xattrs.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
      if (!Arrays.equals(e.getValue(), m.xattrs.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, mode, uid, gid, mtime, size, deviceMajor, deviceMinor, xattrs.keySet());
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder()
        .append(type.name().toLowerCase(java.util.Locale.ROOT))
        .append(' ').append(String.format("%04o", mode))
        .append(' ').append(uid).append(':').append(gid)
        .append(" size=").append(size)
        .append(" mtime=").append(mtime);
    if (type.isDevice()) {
      b.append(" dev=").append(deviceMajor).append(',').append(deviceMinor);
    }
    if (!xattrs.isEmpty()) {
      b.append(" xattrs=").append(xattrs.keySet());
    }
    return b.toString();
  }

  /** Builds {@link FileMetadata}; every setter validates its value at once. */
  public static final class Builder {
    private final FileType type;
    private int mode;
    private int uid;
    private int gid;
    private Instant mtime = Instant.EPOCH;
    private long size;
    private int deviceMajor;
    private int deviceMinor;
    private final TreeMap<String, byte[]> xattrs = new TreeMap<>();

    private Builder(FileType type) {
      this.type = Objects.requireNonNull(type, "type");
      this.mode = type == FileType.DIRECTORY ? 0755 : type == FileType.SYMLINK ? 0777 : 0644;
    }

    /** Permission bits including setuid/setgid/sticky, {@code 0} to {@code 07777}. */
    public Builder mode(int mode) {
      if (mode < 0 || mode > 07777) {
        throw new IllegalArgumentException("mode must be within 0..07777, got 0" + Integer.toOctalString(mode));
      }
      this.mode = mode;
      return this;
    }

    /** Sets the owner's user id. */
    public Builder uid(int uid) {
      if (uid < 0) {
        throw new IllegalArgumentException("uid must not be negative, got " + uid);
      }
      this.uid = uid;
      return this;
    }

    /** Sets the owner's group id. */
    public Builder gid(int gid) {
      if (gid < 0) {
        throw new IllegalArgumentException("gid must not be negative, got " + gid);
      }
      this.gid = gid;
      return this;
    }

    /** Sets the modification time. */
    public Builder mtime(Instant mtime) {
      this.mtime = Objects.requireNonNull(mtime, "mtime");
      return this;
    }

    /** Sets the size in bytes. */
    public Builder size(long size) {
      if (size < 0) {
        throw new IllegalArgumentException("size must not be negative, got " + size);
      }
      this.size = size;
      return this;
    }

    /** Device numbers; only for {@link FileType#CHAR_DEVICE} and {@link FileType#BLOCK_DEVICE}. */
    public Builder device(int major, int minor) {
      if (!type.isDevice()) {
        throw new IllegalArgumentException("device numbers given for a " + type + ", not a device");
      }
      if (major < 0 || minor < 0) {
        throw new IllegalArgumentException("device numbers must not be negative: " + major + "," + minor);
      }
      this.deviceMajor = major;
      this.deviceMinor = minor;
      return this;
    }

    /** Adds or replaces an extended attribute; the name needs a namespace ({@code user.}, {@code security.}, {@code trusted.}, {@code system.}). */
    public Builder xattr(String name, byte[] value) {
      if (name == null || name.indexOf('.') <= 0 || name.endsWith(".")) {
        throw new IllegalArgumentException("xattr name needs a namespace prefix such as 'user.': " + name);
      }
      xattrs.put(name, Objects.requireNonNull(value, "value").clone());
      return this;
    }

    /** Removes the extended attribute {@code name}, if set. */
    public Builder removeXattr(String name) {
      xattrs.remove(name);
      return this;
    }

    /** Removes every extended attribute. */
    public Builder clearXattrs() {
      xattrs.clear();
      return this;
    }

    /** The metadata, with this builder's values copied. */
    public FileMetadata build() {
      return new FileMetadata(this);
    }
  }
}
