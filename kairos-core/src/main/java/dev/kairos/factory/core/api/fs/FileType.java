package dev.kairos.factory.core.api.fs;

/** The kinds of file a Unix root file system holds. Hardlinks are regular files that share content. */
public enum FileType {
  REGULAR(0100000),
  DIRECTORY(0040000),
  SYMLINK(0120000),
  CHAR_DEVICE(0020000),
  BLOCK_DEVICE(0060000),
  FIFO(0010000),
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

  public boolean isDevice() {
    return this == CHAR_DEVICE || this == BLOCK_DEVICE;
  }
}
