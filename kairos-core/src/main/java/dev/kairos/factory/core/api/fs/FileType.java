package dev.kairos.factory.core.api.fs;

/** The kinds of file a Unix root file system holds. Hardlinks are regular files that share content. */
public enum FileType {
  /** A regular file. */
  REGULAR(0100000),
  /** A directory. */
  DIRECTORY(0040000),
  /** A symbolic link. */
  SYMLINK(0120000),
  /** A character device node. */
  CHAR_DEVICE(0020000),
  /** A block device node. */
  BLOCK_DEVICE(0060000),
  /** A named pipe. */
  FIFO(0010000),
  /** A Unix domain socket. */
  SOCKET(0140000);

  private final int modeBits;

  FileType(int modeBits) {
    this.modeBits = modeBits;
  }

  /** The {@code S_IFMT} bits of this type, as in {@code st_mode} (e.g. {@code 0100000} for a regular file). */
  public int modeBits() {
    return modeBits;
  }

  /** The type whose {@code S_IFMT} bits appear in {@code stMode}. */
  public static FileType fromMode(int stMode) {
    int fmt = stMode & 0170000;
    for (FileType t : values()) {
      if (t.modeBits == fmt) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown file type bits in mode " + Integer.toOctalString(stMode));
  }

  /** Whether this is a character or block device. */
  public boolean isDevice() {
    return this == CHAR_DEVICE || this == BLOCK_DEVICE;
  }
}
