package dev.kairos.factory.oci.internal.tar;

import dev.kairos.factory.core.api.ImageText;
import dev.kairos.factory.core.api.KairosException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A streaming tar reader for container layers: ustar, GNU ({@code L}/{@code K} long names,
 * base-256 numbers) and PAX (local and global records, {@code SCHILY.xattr.*} kept as raw bytes,
 * which general-purpose readers turn into text). Sparse members and unknown member types are
 * refused with the member's name. Only one member's header is held in memory.
 *
 * <pre>{@code
 * TarReader r = new TarReader(in);
 * for (TarEntry e; (e = r.next()) != null; ) { if (e.kind() == REGULAR) r.content().transferTo(out); }
 * }</pre>
 */
public final class TarReader {
  private static final int BLOCK = 512;
  /** PAX and GNU long-name records above this size are refused: no real layer needs them. */
  private static final int MAX_META = 1 << 20;

  private final InputStream in;
  private final String source;
  private final Map<String, byte[]> globalPax = new HashMap<>();
  private long remaining;
  private long padding;
  private final byte[] header = new byte[BLOCK];

  /** Reads tar data from {@code in}; {@code source} names the archive in errors. */
  public TarReader(InputStream in, String source) {
    this.in = in;
    this.source = source;
  }

  /** The next member, or null at the end of the archive. */
  public TarEntry next() throws IOException {
    skipRest();
    Map<String, byte[]> pax = new HashMap<>(globalPax);
    String longName = null;
    String longLink = null;
    while (true) {
      if (!readBlock()) {
        return null;
      }
      if (isZero(header)) {
        return null;
      }
      verifyChecksum();
      char flag = (char) (header[156] & 0xff);
      long size = number(124, 12);
      String rawName = string(0, 100);
      switch (flag) {
        case 'x' -> parsePax(readMeta(size, rawName), pax, rawName);
        case 'g' -> {
          parsePax(readMeta(size, rawName), globalPax, rawName);
          pax.putAll(globalPax);
        }
        case 'L' -> longName = cString(readMeta(size, rawName));
        case 'K' -> longLink = cString(readMeta(size, rawName));
        default -> {
          return entry(flag, size, pax, longName, longLink);
        }
      }
    }
  }

  /** The content of the member last returned by {@link #next()}; reads at most its size. */
  public InputStream content() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        if (remaining <= 0) {
          return -1;
        }
        int b = in.read();
        if (b < 0) {
          throw new EOFException(source + ": archive ends inside a member");
        }
        remaining--;
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
          return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
          throw new EOFException(source + ": archive ends inside a member");
        }
        remaining -= n;
        return n;
      }
    };
  }

  private TarEntry entry(char flag, long headerSize, Map<String, byte[]> pax, String longName, String longLink)
      throws IOException {
    String name = longName;
    if (pax.containsKey("path")) {
      name = utf8(pax.get("path"));
    }
    if (name == null) {
      name = string(0, 100);
      boolean posix = header[257] == 'u' && header[262] == 0;
      String prefix = posix ? string(345, 155) : "";
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
    }
    String link = pax.containsKey("linkpath") ? utf8(pax.get("linkpath")) : longLink != null ? longLink : string(157, 100);
    for (String k : pax.keySet()) {
      if (k.startsWith("GNU.sparse.")) {
        throw new KairosException(source + ": member " + ImageText.quote(name) + " is a sparse file, which layers must not use");
      }
    }
    long size = pax.containsKey("size") ? paxLong(pax, "size", name) : headerSize;
    TarEntry.Kind kind = switch (flag) {
      case '0', '\0', '7' -> name.endsWith("/") ? TarEntry.Kind.DIRECTORY : TarEntry.Kind.REGULAR;
      case '1' -> TarEntry.Kind.HARDLINK;
      case '2' -> TarEntry.Kind.SYMLINK;
      case '3' -> TarEntry.Kind.CHAR_DEVICE;
      case '4' -> TarEntry.Kind.BLOCK_DEVICE;
      case '5' -> TarEntry.Kind.DIRECTORY;
      case '6' -> TarEntry.Kind.FIFO;
      default -> throw new KairosException(source + ": member " + ImageText.quote(name) + " has unsupported type '"
          + (flag >= 32 && flag < 127 ? String.valueOf(flag) : "\\" + (int) flag) + "'");
    };
    int uid = pax.containsKey("uid") ? (int) paxLong(pax, "uid", name) : (int) number(108, 8);
    int gid = pax.containsKey("gid") ? (int) paxLong(pax, "gid", name) : (int) number(116, 8);
    Instant mtime = pax.containsKey("mtime") ? paxTime(utf8(pax.get("mtime")), name) : Instant.ofEpochSecond(number(136, 12));
    int major = 0;
    int minor = 0;
    if (kind == TarEntry.Kind.CHAR_DEVICE || kind == TarEntry.Kind.BLOCK_DEVICE) {
      major = (int) number(329, 8);
      minor = (int) number(337, 8);
    }
    Map<String, byte[]> xattrs = new TreeMap<>();
    pax.forEach((k, v) -> {
      if (k.startsWith("SCHILY.xattr.")) {
        xattrs.put(k.substring(13), v);
      }
    });
    if (uid < 0 || gid < 0) {
      throw new KairosException(source + ": member " + ImageText.quote(name) + " has an out-of-range owner");
    }
    // Only regular files carry content: the size field of links, devices and directories is
    // ignored, as GNU tar and Go's archive/tar do.
    long dataSize = kind == TarEntry.Kind.REGULAR ? size : 0;
    remaining = dataSize;
    padding = (BLOCK - dataSize % BLOCK) % BLOCK;
    return new TarEntry(name, kind, (int) (number(100, 8) & 07777), uid, gid,
        kind == TarEntry.Kind.REGULAR ? size : 0, mtime, link, major, minor, xattrs);
  }

  private void skipRest() throws IOException {
    long n = remaining + padding;
    remaining = 0;
    padding = 0;
    skipFully(n);
  }

  private void skipFully(long n) throws IOException {
    while (n > 0) {
      long s = in.skip(n);
      if (s <= 0) {
        if (in.read() < 0) {
          throw new EOFException(source + ": archive ends inside a member");
        }
        s = 1;
      }
      n -= s;
    }
  }

  private boolean readBlock() throws IOException {
    int n = in.readNBytes(header, 0, BLOCK);
    if (n == 0) {
      return false;
    }
    if (n < BLOCK) {
      throw new EOFException(source + ": archive ends inside a header");
    }
    return true;
  }

  private byte[] readMeta(long size, String rawName) throws IOException {
    if (size < 0 || size > MAX_META) {
      throw new KairosException(source + ": extended header of " + ImageText.quote(rawName) + " is too large (" + size + " bytes)");
    }
    byte[] data = in.readNBytes((int) size);
    if (data.length < size) {
      throw new EOFException(source + ": archive ends inside an extended header");
    }
    skipFully((BLOCK - size % BLOCK) % BLOCK);
    return data;
  }

  private void parsePax(byte[] data, Map<String, byte[]> into, String rawName) throws IOException {
    int pos = 0;
    while (pos < data.length) {
      int sp = pos;
      while (sp < data.length && data[sp] != ' ') {
        sp++;
      }
      int len;
      try {
        len = Integer.parseInt(new String(data, pos, sp - pos, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw new KairosException(source + ": malformed PAX record in " + ImageText.quote(rawName));
      }
      int end = pos + len;
      if (len <= 0 || end > data.length || data[end - 1] != '\n') {
        throw new KairosException(source + ": malformed PAX record in " + ImageText.quote(rawName));
      }
      int eq = sp + 1;
      while (eq < end && data[eq] != '=') {
        eq++;
      }
      if (eq >= end) {
        throw new KairosException(source + ": malformed PAX record in " + ImageText.quote(rawName));
      }
      String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
      byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end - 1);
      if (value.length == 0) {
        into.remove(key);
      } else {
        into.put(key, value);
      }
      pos = end;
    }
  }

  private long paxLong(Map<String, byte[]> pax, String key, String name) throws KairosException {
    try {
      return Long.parseLong(utf8(pax.get(key)));
    } catch (NumberFormatException e) {
      throw new KairosException(source + ": member " + ImageText.quote(name) + " has a bad PAX " + key);
    }
  }

  private Instant paxTime(String v, String name) throws KairosException {
    try {
      int dot = v.indexOf('.');
      if (dot < 0) {
        return Instant.ofEpochSecond(Long.parseLong(v));
      }
      String frac = (v.substring(dot + 1) + "000000000").substring(0, 9);
      long secs = Long.parseLong(v.substring(0, dot));
      long nanos = Long.parseLong(frac);
      return v.startsWith("-") ? Instant.ofEpochSecond(secs, -nanos) : Instant.ofEpochSecond(secs, nanos);
    } catch (NumberFormatException e) {
      throw new KairosException(source + ": member " + ImageText.quote(name) + " has a bad PAX mtime " + ImageText.quote(v));
    }
  }

  private void verifyChecksum() throws IOException {
    long stored = number(148, 8);
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      byte b = (i >= 148 && i < 156) ? (byte) ' ' : header[i];
      unsigned += b & 0xff;
      signed += b;
    }
    if (stored != unsigned && stored != signed) {
      throw new KairosException(source + ": corrupt tar header (checksum mismatch) near " + ImageText.quote(string(0, 100)));
    }
  }

  private long number(int off, int len) throws IOException {
    if ((header[off] & 0x80) != 0) {
      if ((header[off] & 0x40) != 0) {
        throw new KairosException(source + ": negative number in the header of " + ImageText.quote(string(0, 100)));
      }
      long v = header[off] & 0x3f;
      for (int i = 1; i < len; i++) {
        if ((v >>> 55) != 0) {
          throw new KairosException(source + ": number too large in the header of " + ImageText.quote(string(0, 100)));
        }
        v = (v << 8) | (header[off + i] & 0xff);
      }
      return v;
    }
    long v = 0;
    int i = off;
    int end = off + len;
    while (i < end && (header[i] == ' ' || header[i] == 0)) {
      i++;
    }
    for (; i < end && header[i] >= '0' && header[i] <= '7'; i++) {
      v = (v << 3) | (header[i] - '0');
    }
    for (; i < end; i++) {
      if (header[i] != ' ' && header[i] != 0) {
        throw new KairosException(source + ": bad octal number in the header of " + ImageText.quote(string(0, 100)));
      }
    }
    return v;
  }

  private String string(int off, int len) {
    int end = off;
    while (end < off + len && header[end] != 0) {
      end++;
    }
    return new String(header, off, end - off, StandardCharsets.UTF_8);
  }

  private static String cString(byte[] data) {
    int end = 0;
    while (end < data.length && data[end] != 0) {
      end++;
    }
    return new String(data, 0, end, StandardCharsets.UTF_8);
  }

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}
