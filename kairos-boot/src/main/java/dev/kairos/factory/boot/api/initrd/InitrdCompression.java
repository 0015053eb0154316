package dev.kairos.factory.boot.api.initrd;

/**
 * How an initrd archive is compressed. Every variant is one the kernel's initramfs unpacker reads
 * (given the matching {@code CONFIG_RD_*}); levels are those of the reference tools.
 */
public enum InitrdCompression {
  /** Plain cpio. */
  NONE(0, 0, 0),
  /** gzip (deflate), levels 1-9; what dracut uses by default. */
  GZIP(1, 9, 9),
  /**
   * A single zstd frame, levels 1-22; what AuroraBoot uses for UKI initrds. The default, 11, is
   * about what AuroraBoot's encoder calls "best compression"; 19 is a few percent smaller and many
   * times slower on a whole rootfs. Compressed on every core, with the same bytes on any machine.
   */
  ZSTD(1, 22, 11),
  /** xz with a CRC32 check and a 1 MiB dictionary, as the kernel's decoder requires; levels 0-9. */
  XZ(0, 9, 6),
  /** The LZ4 legacy frame ({@code lz4 -l}); level 1 is the fast compressor, 2-12 high compression. */
  LZ4(1, 12, 9);

  private final int minLevel;
  private final int maxLevel;
  private final int defaultLevel;

  InitrdCompression(int minLevel, int maxLevel, int defaultLevel) {
    this.minLevel = minLevel;
    this.maxLevel = maxLevel;
    this.defaultLevel = defaultLevel;
  }

  /** The level used when none is given (0 for {@link #NONE}). */
  public int defaultLevel() {
    return defaultLevel;
  }

  /** {@code level} if this compression accepts it, else IllegalArgumentException naming the range. */
  public int checkLevel(int level) {
    if (level < minLevel || level > maxLevel) {
      throw new IllegalArgumentException(
          name() + " level must be in " + minLevel + ".." + maxLevel + ", got " + level);
    }
    return level;
  }
}
