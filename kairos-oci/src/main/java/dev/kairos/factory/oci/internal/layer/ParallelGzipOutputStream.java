package dev.kairos.factory.oci.internal.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip compressor that deflates fixed-size blocks of its input on several threads and writes
 * ONE gzip member whose bytes do not depend on the number of threads.
 *
 * <p>The input is cut into blocks of exactly {@link #BLOCK} bytes (the last may be shorter), so
 * boundaries depend only on the data. Each block is deflated raw by its own {@link Deflater},
 * primed with the last 32 KiB of the block before it as the dictionary (what a single deflater
 * would have had in its window), and ended with a sync flush so that it stops on a byte boundary;
 * the last block is finished instead. The raw outputs concatenate into one valid deflate stream,
 * framed by a fixed header (no name, no time, OS unknown) and the CRC-32 and length of the whole
 * input. Blocks are written in order; at most {@code 2 × threads} are in flight, so memory stays
 * a few MiB whatever the size of the stream.
 */
public final class ParallelGzipOutputStream extends OutputStream {
  /** Uncompressed bytes per block. */
  public static final int BLOCK = 1 << 20;
  private static final int DICT = 32 << 10;
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private final OutputStream out;
  private final ExecutorService pool;
  private final int level;
  private final int maxInFlight;
  private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
  /** Input blocks whose deflate is done, for reuse: the garbage stays small too. */
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();
  private final CRC32 crc = new CRC32();
  private byte[] block = new byte[BLOCK];
  private int filled;
  private byte[] dictionary = new byte[0];
  private long total;
  private boolean closed;

  private record Pending(Future<byte[]> deflated, byte[] input) {}

  /**
   * @param out receives the gzip member; it is not closed by {@link #close()}, only flushed
   * @param pool runs the deflaters; the caller owns it and shuts it down
   * @param threads how many blocks the pool runs at once (bounds the blocks in flight)
   * @param level the deflate level, 1 to 9
   */
  public ParallelGzipOutputStream(OutputStream out, ExecutorService pool, int threads, int level) throws IOException {
    if (threads < 1 || level < 1 || level > 9) {
      throw new IllegalArgumentException("threads must be >= 1 and level 1..9: threads=" + threads + ", level=" + level);
    }
    this.out = out;
    this.pool = pool;
    this.level = level;
    this.maxInFlight = 2 * threads;
    out.write(HEADER);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    crc.update(b, off, len);
    total += len;
    while (len > 0) {
      int n = Math.min(len, BLOCK - filled);
      System.arraycopy(b, off, block, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == BLOCK) {
        submit(false);
      }
    }
  }

  /** Writes the finished blocks; a partial block waits, as its boundary is fixed by the data. */
  @Override
  public void flush() throws IOException {
    out.flush();
  }

  /** Deflates what remains, writes the trailer and flushes; does not close the underlying stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      submit(true);
      while (!inFlight.isEmpty()) {
        out.write(take());
      }
      int c = (int) crc.getValue();
      int size = (int) total;
      out.write(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
          (byte) size, (byte) (size >>> 8), (byte) (size >>> 16), (byte) (size >>> 24)});
      out.flush();
    } finally {
      inFlight.forEach(p -> p.deflated().cancel(true));
      inFlight.clear();
    }
  }

  private void submit(boolean last) throws IOException {
    byte[] data = block;
    int length = filled;
    byte[] dict = dictionary;
    // The window the next block starts with: the tail of this block, topped up from the one before.
    int fromThis = Math.min(length, DICT);
    int fromPrev = Math.min(dict.length, DICT - fromThis);
    byte[] next = new byte[fromPrev + fromThis];
    System.arraycopy(dict, dict.length - fromPrev, next, 0, fromPrev);
    System.arraycopy(data, length - fromThis, next, fromPrev, fromThis);
    dictionary = next;
    inFlight.add(new Pending(pool.submit(() -> deflate(data, length, dict, last, level)), data));
    block = last ? null : free.isEmpty() ? new byte[BLOCK] : free.poll();
    filled = 0;
    while (inFlight.size() >= maxInFlight) {
      out.write(take());
    }
  }

  private byte[] take() throws IOException {
    try {
      Pending p = inFlight.poll();
      byte[] deflated = p.deflated().get();
      free.add(p.input());
      return deflated;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      throw new IOException("gzip block failed: " + e.getCause(), e.getCause());
    }
  }

  private static byte[] deflate(byte[] data, int length, byte[] dict, boolean last, int level) {
    Deflater d = new Deflater(level, true);
    try {
      if (dict.length > 0) {
        d.setDictionary(dict);
      }
      d.setInput(data, 0, length);
      ByteArrayOutputStream result = new ByteArrayOutputStream(length / 2 + 64);
      byte[] buf = new byte[64 << 10];
      if (last) {
        d.finish();
        while (!d.finished()) {
          int n = d.deflate(buf, 0, buf.length, Deflater.NO_FLUSH);
          result.write(buf, 0, n);
        }
      } else {
        // A sync flush with room to spare in the buffer has emitted everything.
        int n;
        do {
          n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
          result.write(buf, 0, n);
        } while (n == buf.length);
      }
      return result.toByteArray();
    } finally {
      d.end();
    }
  }
}
