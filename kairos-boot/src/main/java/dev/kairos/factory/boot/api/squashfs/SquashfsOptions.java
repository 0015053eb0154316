package dev.kairos.factory.boot.api.squashfs;

import dev.kairos.factory.core.api.SourceDate;
import java.time.Instant;
import java.util.Objects;

/**
 * How a squashfs image is written: compressor and level, block size, and the source date that
 * clamps every timestamp (so that the same tree always gives the same bytes).
 *
 * <pre>{@code
 * SquashfsOptions o = SquashfsOptions.builder()
 *     .compression(SquashfsCompression.ZSTD)
 *     .blockSize(1 << 20)
 *     .sourceDate(SourceDate.fromEnvironment())
 *     .build();
 * }</pre>
 */
public final class SquashfsOptions {
  /** 1 MiB, the block size AuroraBoot uses for the live rootfs. */
  public static final int DEFAULT_BLOCK_SIZE = 1 << 20;

  private final SquashfsCompression compression;
  private final int level;
  private final int blockSize;
  private final SourceDate sourceDate;

  private SquashfsOptions(Builder b) {
    this.compression = b.compression;
    this.level = b.level != null ? b.level : b.compression.defaultLevel();
    this.blockSize = b.blockSize;
    this.sourceDate = b.sourceDate;
    checkLevel(compression, level);
  }

  /** gzip level 9, 1 MiB blocks, timestamps clamped to the epoch. */
  public static SquashfsOptions defaults() {
    return builder().build();
  }

  /** Starts from the {@linkplain #defaults() defaults}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options, level included, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder().compression(compression).blockSize(blockSize).sourceDate(sourceDate);
    b.level = level;
    return b;
  }

  /** The compressor. */
  public SquashfsCompression compression() {
    return compression;
  }

  /** The compression level (the compressor's default unless one was set). */
  public int level() {
    return level;
  }

  /** The data block size in bytes, a power of two from 4 KiB to 1 MiB. */
  public int blockSize() {
    return blockSize;
  }

  /** log2 of {@link #blockSize()}. */
  public int blockLog() {
    return Integer.numberOfTrailingZeros(blockSize);
  }

  /** The date every timestamp is clamped to. */
  public SourceDate sourceDate() {
    return sourceDate;
  }

  /** The time written for a file whose own time is {@code t}. */
  public Instant clamp(Instant t) {
    return sourceDate.clamp(t);
  }

  private static void checkLevel(SquashfsCompression c, int level) {
    int max = c == SquashfsCompression.ZSTD ? 22 : 9;
    int min = c == SquashfsCompression.XZ ? 0 : 1;
    if (level < min || level > max) {
      throw new IllegalArgumentException(c + " level must be within " + min + ".." + max + ", got " + level);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SquashfsOptions x && x.compression == compression && x.level == level
        && x.blockSize == blockSize && x.sourceDate.instant().equals(sourceDate.instant());
  }

  @Override
  public int hashCode() {
    return Objects.hash(compression, level, blockSize, sourceDate.instant());
  }

  @Override
  public String toString() {
    return "SquashfsOptions[" + compression.toolName() + " level " + level + ", block " + blockSize + ", " + sourceDate + "]";
  }

  /** Builds {@link SquashfsOptions}; each setter checks its value at once. */
  public static final class Builder {
    private SquashfsCompression compression = SquashfsCompression.GZIP;
    private Integer level;
    private int blockSize = DEFAULT_BLOCK_SIZE;
    private SourceDate sourceDate = SourceDate.of(Instant.EPOCH);

    private Builder() {}

    /** The compressor; its {@linkplain SquashfsCompression#defaultLevel() default level} applies unless {@link #level} is set after. */
    public Builder compression(SquashfsCompression compression) {
      this.compression = Objects.requireNonNull(compression, "compression");
      this.level = null;
      return this;
    }

    /** The compression level: 1..9 for gzip, 0..9 for xz, 1..22 for zstd (checked at {@link #build()}). */
    public Builder level(int level) {
      this.level = level;
      return this;
    }

    /** A power of two from 4 KiB to 1 MiB. */
    public Builder blockSize(int blockSize) {
      if (blockSize < 4096 || blockSize > (1 << 20) || Integer.bitCount(blockSize) != 1) {
        throw new IllegalArgumentException("block size must be a power of two from 4096 to 1048576, got " + blockSize);
      }
      this.blockSize = blockSize;
      return this;
    }

    /** Clamps every timestamp to this date; default the epoch. */
    public Builder sourceDate(SourceDate sourceDate) {
      this.sourceDate = Objects.requireNonNull(sourceDate, "sourceDate");
      return this;
    }

    /** The options; IllegalArgumentException if the level is outside the compressor's range. */
    public SquashfsOptions build() {
      return new SquashfsOptions(this);
    }
  }
}
