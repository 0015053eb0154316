package dev.kairos.factory.oci.internal.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream on a thread of its own, a few chunks ahead of the reader, so that what the
 * source does (download, hashing, inflating) runs beside what the reader does (parsing, writing
 * files). Memory is bounded by {@code chunks × chunkSize}. An error of the source is thrown to the
 * reader as it was raised, at the point in the stream where it happened. Closing stops the thread
 * and closes the source.
 */
final class ReadAheadInputStream extends InputStream {
  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> queue;
  private final Thread thread;
  private volatile Throwable failure;
  private byte[] current = new byte[0];
  private int pos;
  private boolean ended;

  ReadAheadInputStream(InputStream source, String name, int chunks, int chunkSize) {
    this.queue = new ArrayBlockingQueue<>(chunks);
    this.thread = new Thread(() -> pump(source, chunkSize), "kairos-oci-read-ahead " + name);
    thread.setDaemon(true);
    thread.start();
  }

  private void pump(InputStream source, int chunkSize) {
    try (source) {
      while (true) {
        byte[] chunk = source.readNBytes(chunkSize);
        if (chunk.length == 0) {
          break;
        }
        queue.put(chunk);
      }
    } catch (InterruptedException e) {
      return;
    } catch (Throwable t) {
      failure = t;
    }
    try {
      queue.put(END);
    } catch (InterruptedException e) {
      // closed by the reader: nobody waits for the end any more
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (pos == current.length && !next()) {
      return -1;
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  private boolean next() throws IOException {
    if (ended) {
      return false;
    }
    byte[] chunk;
    try {
      chunk = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading ahead");
    }
    if (chunk == END) {
      ended = true;
      Throwable t = failure;
      if (t instanceof IOException io) {
        throw io;
      }
      if (t instanceof RuntimeException r) {
        throw r;
      }
      if (t instanceof Error e) {
        throw e;
      }
      return false;
    }
    current = chunk;
    pos = 0;
    return true;
  }

  @Override
  public int available() {
    return current.length - pos;
  }

  @Override
  public void close() throws IOException {
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
