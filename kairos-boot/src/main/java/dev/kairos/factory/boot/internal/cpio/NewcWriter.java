package dev.kairos.factory.boot.internal.cpio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes SVR4 "newc" cpio records (magic {@code 070701}, no checksum), the format the kernel's
 * initramfs unpacker and {@code cpio -H newc} read. Headers and names are padded to 4 bytes, as
 * is every file body.
 */
public final class NewcWriter {
  /** One record's header fields; names are relative ("." for the root). */
  public record Header(String name, long ino, int mode, int uid, int gid, int nlink, long mtime,
      long size, int rdevMajor, int rdevMinor) {
  }

  private static final byte[] ZEROS = new byte[4];
  private static final long MAX_FIELD = 0xFFFF_FFFFL;

  private final OutputStream out;
  private long written;

  public NewcWriter(OutputStream out) {
    this.out = out;
  }

  /** Bytes written so far. */
  public long written() {
    return written;
  }

  /** Writes one record; {@code body} must supply exactly {@code header.size()} bytes (null when 0). */
  public void write(Header h, InputStream body) throws IOException {
    byte[] name = (h.name() + "\0").getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(110);
    sb.append("070701");
    hex(sb, h.ino(), "inode", h.name());
    hex(sb, Integer.toUnsignedLong(h.mode()), "mode", h.name());
    hex(sb, Integer.toUnsignedLong(h.uid()), "uid", h.name());
    hex(sb, Integer.toUnsignedLong(h.gid()), "gid", h.name());
    hex(sb, h.nlink(), "nlink", h.name());
    hex(sb, h.mtime(), "mtime", h.name());
    hex(sb, h.size(), "file size (newc holds at most 4 GiB - 1)", h.name());
    hex(sb, 0, "devmajor", h.name());
    hex(sb, 0, "devminor", h.name());
    hex(sb, h.rdevMajor(), "rdevmajor", h.name());
    hex(sb, h.rdevMinor(), "rdevminor", h.name());
    hex(sb, name.length, "name size", h.name());
    hex(sb, 0, "check", h.name());
    emit(sb.toString().getBytes(StandardCharsets.US_ASCII), 0, 110);
    emit(name, 0, name.length);
    pad();
    if (h.size() > 0) {
      byte[] buf = new byte[64 * 1024];
      long left = h.size();
      while (left > 0) {
        int n = body.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new IOException(h.name() + ": file shrank while archiving (" + left + " bytes missing)");
        }
        emit(buf, 0, n);
        left -= n;
      }
      pad();
    }
  }

  /** Writes the {@code TRAILER!!!} record that ends an archive. */
  public void finish() throws IOException {
    write(new Header("TRAILER!!!", 0, 0, 0, 0, 1, 0, 0, 0, 0), null);
    out.flush();
  }

  private void pad() throws IOException {
    int rem = (int) (written & 3);
    if (rem != 0) {
      emit(ZEROS, 0, 4 - rem);
    }
  }

  private void emit(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    written += len;
  }

  private static void hex(StringBuilder sb, long v, String field, String name) {
    if (v < 0 || v > MAX_FIELD) {
      throw new IllegalArgumentException(name + ": " + field + " out of range for newc: " + v);
    }
    String s = Long.toHexString(v).toUpperCase(java.util.Locale.ROOT);
    sb.append("00000000", 0, 8 - s.length()).append(s);
  }
}
