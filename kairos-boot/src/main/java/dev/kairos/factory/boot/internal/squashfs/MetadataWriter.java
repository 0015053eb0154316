package dev.kairos.factory.boot.internal.squashfs;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one squashfs metadata table (inodes, directories, fragment or id entries): a sequence of
 * blocks of at most 8 KiB of payload, each compressed on its own behind a 16-bit header whose top
 * bit marks a block stored uncompressed. A position in the table is the byte offset of its block
 * (from the table start) and the offset inside the uncompressed block.
 */
final class MetadataWriter {
  static final int BLOCK = 8192;

  private final BlockCompressor compressor;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final byte[] buf = new byte[BLOCK];
  private final List<Integer> blockStarts = new ArrayList<>();
  private int fill;

  MetadataWriter(BlockCompressor compressor) {
    this.compressor = compressor;
  }

  /** Offset, from the table start, of the block the next byte goes to. */
  int blockStart() {
    return out.size();
  }

  /** Offset of the next byte within its uncompressed block. */
  int offset() {
    return fill;
  }

  /** The squashfs reference of the next byte: block start in the high 48 bits, offset in the low 16. */
  long reference() {
    return ((long) out.size() << 16) | fill;
  }

  void write(byte[] b) {
    write(b, 0, b.length);
  }

  void write(byte[] b, int off, int len) {
    while (len > 0) {
      int n = Math.min(len, BLOCK - fill);
      System.arraycopy(b, off, buf, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == BLOCK) {
        flush();
      }
    }
  }

  private void flush() {
    if (fill == 0) {
      return;
    }
    blockStarts.add(out.size());
    byte[] c = compressor.compress(buf, fill);
    int header = c == null ? (fill | 0x8000) : c.length;
    out.write(header & 0xff);
    out.write(header >>> 8);
    if (c == null) {
      out.write(buf, 0, fill);
    } else {
      out.write(c, 0, c.length);
    }
    fill = 0;
  }

  /** Ends the table and returns its bytes. */
  byte[] finish() {
    flush();
    return out.toByteArray();
  }

  /** The start of each block written, from the table start; complete after {@link #finish()}. */
  List<Integer> blockStarts() {
    return blockStarts;
  }
}
