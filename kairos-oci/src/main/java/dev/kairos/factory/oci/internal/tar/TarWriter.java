package dev.kairos.factory.oci.internal.tar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A deterministic tar writer: ustar headers with numeric owners and no user or group names, and a
 * PAX extended header only for what ustar cannot hold (long or non-ASCII names and link targets,
 * large numbers, a time with a fraction of a second, extended attributes as
 * {@code SCHILY.xattr.*}). The same entries give the same bytes, whatever the machine or the time.
 */
public final class TarWriter implements AutoCloseable {
  private static final int BLOCK = 512;
  private static final long MAX_OCTAL_7 = 07777777L;
  private static final long MAX_OCTAL_11 = 077777777777L;
  private static final byte[] ZEROS = new byte[BLOCK];

  private final OutputStream out;
  private final byte[] buffer = new byte[64 * 1024];
  private boolean finished;

  public TarWriter(OutputStream out) {
    this.out = out;
  }

  /**
   * Writes one member. {@code content} must give exactly {@link TarEntry#size()} bytes for a
   * regular file and is ignored (may be null) for other kinds. Directory names get a trailing
   * {@code /}.
   */
  public void write(TarEntry e, InputStream content) throws IOException {
    String name = e.kind() == TarEntry.Kind.DIRECTORY && !e.name().endsWith("/") ? e.name() + "/" : e.name();
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] linkBytes = e.linkName().getBytes(StandardCharsets.UTF_8);
    long secs = e.mtime().getEpochSecond();
    List<Map.Entry<String, byte[]>> pax = new ArrayList<>();
    String[] split = splitUstar(name, nameBytes);
    if (split == null) {
      pax.add(Map.entry("path", nameBytes));
    }
    if (linkBytes.length > 100 || !ascii(linkBytes)) {
      pax.add(Map.entry("linkpath", linkBytes));
    }
    if (e.uid() > MAX_OCTAL_7) {
      pax.add(Map.entry("uid", Long.toString(e.uid()).getBytes(StandardCharsets.US_ASCII)));
    }
    if (e.gid() > MAX_OCTAL_7) {
      pax.add(Map.entry("gid", Long.toString(e.gid()).getBytes(StandardCharsets.US_ASCII)));
    }
    if (e.size() > MAX_OCTAL_11) {
      pax.add(Map.entry("size", Long.toString(e.size()).getBytes(StandardCharsets.US_ASCII)));
    }
    if (secs < 0 || secs > MAX_OCTAL_11 || e.mtime().getNano() != 0) {
      pax.add(Map.entry("mtime", paxTime(e.mtime()).getBytes(StandardCharsets.US_ASCII)));
    }
    for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
      pax.add(Map.entry("SCHILY.xattr." + x.getKey(), x.getValue()));
    }
    if (!pax.isEmpty()) {
      byte[] records = paxRecords(pax);
      String base = name.replaceAll("/+$", "");
      base = base.substring(base.lastIndexOf('/') + 1);
      String paxName = "PaxHeaders/" + base;
      byte[] pn = truncateUtf8(paxName, 100);
      writeHeader(pn, new byte[0], 'x', 0644, 0, 0, records.length, 0, new byte[0], 0, 0);
      out.write(records);
      pad(records.length);
    }
    byte[] hName = split != null ? split[1].getBytes(StandardCharsets.UTF_8) : truncateUtf8(name, 100);
    byte[] hPrefix = split != null ? split[0].getBytes(StandardCharsets.UTF_8) : new byte[0];
    byte[] hLink = linkBytes.length <= 100 && ascii(linkBytes) ? linkBytes : truncateUtf8(e.linkName(), 100);
    writeHeader(hName, hPrefix, e.kind().flag, e.mode(), Math.min(e.uid(), MAX_OCTAL_7), Math.min(e.gid(), MAX_OCTAL_7),
        e.size() > MAX_OCTAL_11 ? 0 : e.size(), secs < 0 || secs > MAX_OCTAL_11 ? 0 : secs, hLink,
        e.deviceMajor(), e.deviceMinor());
    if (e.kind() == TarEntry.Kind.REGULAR) {
      long copied = 0;
      int n;
      while (copied < e.size() && (n = content.read(buffer, 0, (int) Math.min(buffer.length, e.size() - copied))) > 0) {
        out.write(buffer, 0, n);
        copied += n;
      }
      if (copied != e.size() || content.read() >= 0) {
        throw new IOException(e.name() + ": file changed size while being archived (expected " + e.size() + " bytes)");
      }
      pad(e.size());
    }
  }

  /** Writes the end-of-archive marker (two zero blocks); the underlying stream stays open. */
  public void finish() throws IOException {
    if (!finished) {
      out.write(ZEROS);
      out.write(ZEROS);
      finished = true;
    }
  }

  @Override
  public void close() throws IOException {
    finish();
    out.close();
  }

  /** {prefix, name} when the name fits ustar's two fields as ASCII, else null. */
  private static String[] splitUstar(String name, byte[] bytes) {
    if (!ascii(bytes)) {
      return null;
    }
    if (bytes.length <= 100) {
      return new String[] {"", name};
    }
    if (bytes.length > 256) {
      return null;
    }
    // The prefix ends at a slash; the name part must be non-empty and fit 100 bytes.
    for (int i = Math.min(155, bytes.length - 2); i > 0; i--) {
      if (bytes[i] == '/' && bytes.length - i - 1 <= 100 && bytes.length - i - 1 > 0) {
        return new String[] {name.substring(0, i), name.substring(i + 1)};
      }
    }
    return null;
  }

  /** Seconds since the epoch, with nine decimals when the time has a fraction ({@code -1.5} is half a second before {@code -1}). */
  static String paxTime(Instant t) {
    long secs = t.getEpochSecond();
    int nanos = t.getNano();
    if (nanos == 0) {
      return Long.toString(secs);
    }
    if (secs >= 0) {
      return secs + "." + String.format("%09d", nanos);
    }
    // Instant keeps a positive fraction above a negative second; PAX writes the value's sign and magnitude.
    return "-" + (-(secs + 1)) + "." + String.format("%09d", 1_000_000_000 - nanos);
  }

  private static boolean ascii(byte[] b) {
    for (byte x : b) {
      if (x < 0x20 || x >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static byte[] truncateUtf8(String s, int max) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return b.length <= max ? b : Arrays.copyOf(b, max);
  }

  private static byte[] paxRecords(List<Map.Entry<String, byte[]>> records) throws IOException {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> r : records) {
      byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] value = r.getValue();
      int body = 1 + key.length + 1 + value.length + 1; // " key=value\n"
      int len = body + Integer.toString(body).length();
      if (Integer.toString(len).length() != Integer.toString(body).length()) {
        len = body + Integer.toString(len).length();
      }
      b.write(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
      b.write(' ');
      b.write(key);
      b.write('=');
      b.write(value);
      b.write('\n');
    }
    return b.toByteArray();
  }

  private void writeHeader(byte[] name, byte[] prefix, char flag, int mode, long uid, long gid, long size,
      long mtime, byte[] link, int major, int minor) throws IOException {
    byte[] h = new byte[BLOCK];
    System.arraycopy(name, 0, h, 0, name.length);
    octal(h, 100, 8, mode);
    octal(h, 108, 8, uid);
    octal(h, 116, 8, gid);
    octal(h, 124, 12, size);
    octal(h, 136, 12, mtime);
    h[156] = (byte) flag;
    System.arraycopy(link, 0, h, 157, link.length);
    System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
    h[263] = '0';
    h[264] = '0';
    number(h, 329, 8, major);
    number(h, 337, 8, minor);
    System.arraycopy(prefix, 0, h, 345, prefix.length);
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    byte[] c = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(c, 0, h, 148, 6);
    h[154] = 0;
    h[155] = ' ';
    out.write(h);
  }

  /** An octal field of {@code len-1} digits and a NUL. */
  private static void octal(byte[] h, int off, int len, long v) {
    String s = Long.toOctalString(v);
    String padded = "0".repeat(len - 1 - s.length()) + s;
    System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
  }

  /** Octal when it fits, else GNU base-256 (device numbers have no PAX key). */
  private static void number(byte[] h, int off, int len, long v) {
    if (v <= MAX_OCTAL_7) {
      octal(h, off, len, v);
      return;
    }
    h[off] = (byte) 0x80;
    for (int i = len - 1; i > 0; i--) {
      h[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  private void pad(long size) throws IOException {
    int p = (int) ((BLOCK - size % BLOCK) % BLOCK);
    if (p > 0) {
      out.write(ZEROS, 0, p);
    }
  }
}
