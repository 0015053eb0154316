package dev.kairos.factory.boot.api.squashfs;

/**
 * The compressors a squashfs image can use, with their on-disk ids. All three are built into the
 * kernels of the common distributions and read by {@code unsquashfs} and GRUB.
 */
public enum SquashfsCompression {
  /** zlib streams, what {@code mksquashfs} picks when not told otherwise; the kernel always has it. */
  GZIP(1, "gzip", 9),
  /** xz streams with a CRC32 check: the smallest images, the slowest to write. */
  XZ(4, "xz", 6),
  /** zstd frames: about as small as gzip at level 3 and several times faster to write and read. */
  ZSTD(6, "zstd", 3);

  private final int id;
  private final String toolName;
  private final int defaultLevel;

  SquashfsCompression(int id, String toolName, int defaultLevel) {
    this.id = id;
    this.toolName = toolName;
    this.defaultLevel = defaultLevel;
  }

  /** The compression id stored in the superblock. */
  public int id() {
    return id;
  }

  /** The name {@code mksquashfs -comp} and {@code unsquashfs -s} use. */
  public String toolName() {
    return toolName;
  }

  /** The level used when none is given. */
  public int defaultLevel() {
    return defaultLevel;
  }
}
