package dev.kairos.factory.boot.internal.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/** Positioned, complete writes to a channel (a single {@code write} may write less than asked). */
public final class ChannelWrites {
  private ChannelWrites() {
  }

  /** Writes all of {@code data} at {@code pos}; the channel is left positioned after it. */
  public static void writeAt(SeekableByteChannel ch, long pos, byte[] data) throws IOException {
    ch.position(pos);
    ByteBuffer b = ByteBuffer.wrap(data);
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Copies exactly {@code length} bytes of {@code in} to the channel's position; fails if {@code in} ends early. */
  public static void copy(InputStream in, SeekableByteChannel ch, long length, String what) throws IOException {
    byte[] buf = new byte[256 * 1024];
    long left = length;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException(what + ": source shrank while writing (" + left + " bytes missing)");
      }
      ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      left -= n;
    }
  }
}
