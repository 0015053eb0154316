package dev.kairos.factory.boot.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A window of {@code size} bytes of another channel starting at {@code offset}: position 0 is
 * {@code offset}, writes past the window fail. Closing the window leaves the channel open.
 */
public final class WindowChannel implements SeekableByteChannel {
  private final SeekableByteChannel ch;
  private final long offset;
  private final long size;
  private final String what;
  private long pos;
  private long high;
  private boolean open = true;

  public WindowChannel(SeekableByteChannel ch, long offset, long size, String what) {
    this.ch = ch;
    this.offset = offset;
    this.size = size;
    this.what = what;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (pos >= size) {
      return -1;
    }
    ByteBuffer d = dst.duplicate();
    d.limit(d.position() + (int) Math.min(d.remaining(), size - pos));
    ch.position(offset + pos);
    int n = ch.read(d);
    if (n > 0) {
      dst.position(dst.position() + n);
      pos += n;
    }
    return n;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    if (pos + src.remaining() > size) {
      throw new IOException(what + ": writing " + src.remaining() + " bytes at " + pos
          + " runs past its end (" + size + " bytes)");
    }
    ch.position(offset + pos);
    int n = 0;
    while (src.hasRemaining()) {
      n += ch.write(src);
    }
    pos += n;
    high = Math.max(high, pos);
    return n;
  }

  @Override
  public long position() {
    return pos;
  }

  @Override
  public SeekableByteChannel position(long newPosition) {
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    pos = newPosition;
    return this;
  }

  /** How far the writes reached: the end of the furthest byte written, from the window's start. */
  public long written() {
    return high;
  }

  /** The window's size (not how much was written). */
  @Override
  public long size() {
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long s) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return open && ch.isOpen();
  }

  @Override
  public void close() {
    open = false;
  }
}
