package dev.kairos.factory.boot.internal.compress;

import java.io.IOException;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * The LZ4 "legacy" frame ({@code lz4 -l}), the only LZ4 framing the kernel's initramfs
 * decompressor reads: magic {@code 0x184C2102}, then blocks of at most 8 MiB of input, each a
 * little-endian compressed length followed by the compressed bytes.
 */
public final class Lz4LegacyOutputStream extends OutputStream {
  private static final int BLOCK = 8 << 20;
  private static final int MAGIC = 0x184C2102;

  private final OutputStream out;
  private final LZ4Compressor compressor;
  private final byte[] block = new byte[BLOCK];
  private byte[] packed;
  private int fill;
  private boolean closed;

  public Lz4LegacyOutputStream(OutputStream out, int level) throws IOException {
    this.out = out;
    LZ4Factory f = LZ4Factory.fastestInstance();
    this.compressor = level > 1 ? f.highCompressor(level) : f.fastCompressor();
    this.packed = new byte[compressor.maxCompressedLength(BLOCK)];
    writeIntLe(MAGIC);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = Math.min(len, BLOCK - fill);
      System.arraycopy(b, off, block, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == BLOCK) {
        flushBlock();
      }
    }
  }

  private void flushBlock() throws IOException {
    if (fill == 0) {
      return;
    }
    int n = compressor.compress(block, 0, fill, packed, 0, packed.length);
    writeIntLe(n);
    out.write(packed, 0, n);
    fill = 0;
  }

  private void writeIntLe(int v) throws IOException {
    out.write(new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      flushBlock();
      packed = null;
      out.close();
    }
  }
}
