package dev.kairos.factory.boot.internal.squashfs;

import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Compresses squashfs data and fragment blocks on a few threads and writes them in the order they
 * were submitted, so the image is the same bytes whatever the thread count: every block is
 * compressed on its own, as the format wants, and only the order of the writes is shared state.
 *
 * <p>Blocks are numbered in submission order; where block {@code i} landed and its size word
 * (compressed size, or the raw size with the "uncompressed" bit) are known once {@link #finish}
 * returns. At most a few blocks per thread are in flight, so memory stays bounded.
 */
final class DataBlockWriter implements AutoCloseable {
  /** Where written blocks go: appends {@code len} bytes and returns the position they start at. */
  interface Sink {
    long append(byte[] bytes, int len) throws IOException;
  }

  private record Pending(byte[] raw, int len, Future<byte[]> compressed) {}

  static final int UNCOMPRESSED = 1 << 24;

  private final Sink sink;
  private final ExecutorService pool;
  private final ThreadLocal<BlockCompressor> compressors;
  private final int maxInFlight;
  private final Deque<Pending> inFlight = new ArrayDeque<>();
  /** Block buffers whose block has been written, for reuse: a rootfs is thousands of blocks. */
  private final Deque<byte[]> spare = new ArrayDeque<>();
  private long[] starts = new long[1024];
  private int[] sizeWords = new int[1024];
  private int submitted;
  private int written;
  /** Where the next block goes once written: the end of the data area so far. */
  private long next;
  private boolean finished;

  /** Blocks go to {@code sink}, the first at {@code position}; {@code threads} (at least 1) compress them. */
  DataBlockWriter(SquashfsOptions options, Sink sink, int threads, long position) {
    this.sink = sink;
    this.next = position;
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "squashfs-compress");
      t.setDaemon(true);
      return t;
    });
    this.compressors = ThreadLocal.withInitial(() -> BlockCompressor.of(options));
    this.maxInFlight = 2 * threads + 1;
  }

  /** The number of blocks submitted so far, which is the number the next block gets. */
  int submitted() {
    return submitted;
  }

  /**
   * Queues {@code data[0..len)} (copied) as the next block; may write earlier blocks while it waits
   * for room. Every {@code data} should have the same length, the block size.
   */
  void submit(byte[] data, int len) throws IOException {
    byte[] raw = spare.isEmpty() || spare.peekFirst().length < len ? new byte[data.length] : spare.removeFirst();
    System.arraycopy(data, 0, raw, 0, len);
    Future<byte[]> compressed = pool.submit(() -> compressors.get().compress(raw, len));
    inFlight.addLast(new Pending(raw, len, compressed));
    submitted++;
    while (inFlight.size() > maxInFlight) {
      writeOldest();
    }
  }

  /** Writes every queued block; afterwards {@link #start} and {@link #sizeWord} answer for all of them. */
  void finish() throws IOException {
    while (!inFlight.isEmpty()) {
      writeOldest();
    }
    finished = true;
  }

  /**
   * Where block {@code i} starts; for {@code i == submitted()} (a file that ended before another
   * block was submitted), where the next block would have gone: the end of the data area.
   */
  long start(int i) {
    requireFinished();
    return i < written ? starts[i] : next;
  }

  /** The size word of block {@code i}, as squashfs stores it in block lists and the fragment table. */
  int sizeWord(int i) {
    requireFinished();
    return sizeWords[i];
  }

  private void writeOldest() throws IOException {
    Pending p = inFlight.removeFirst();
    byte[] c = await(p.compressed());
    if (written == starts.length) {
      starts = Arrays.copyOf(starts, written * 2);
      sizeWords = Arrays.copyOf(sizeWords, written * 2);
    }
    byte[] stored = c == null ? p.raw() : c;
    int length = c == null ? p.len() : c.length;
    long start = sink.append(stored, length);
    if (start != next) {
      throw new IllegalStateException("data block written at " + start + ", expected at " + next);
    }
    starts[written] = start;
    sizeWords[written] = c == null ? length | UNCOMPRESSED : length;
    next = start + length;
    written++;
    spare.addLast(p.raw());
  }

  private static byte[] await(Future<byte[]> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing squashfs blocks");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException("squashfs block compression failed", cause);
    }
  }

  private void requireFinished() {
    if (!finished) {
      throw new IllegalStateException("blocks are still being written");
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
