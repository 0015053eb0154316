package dev.kairos.factory.boot.internal.iso;

import dev.kairos.factory.core.api.KairosException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads back what {@link IsoWriter} writes, as facts by place for a diff: each volume descriptor's
 * fields ({@code volume/primary}, {@code volume/joliet}, {@code volume/boot-record}) and every
 * file, directory and symlink of the primary tree with its Rock Ridge name, mode, owner, time and
 * link target and the SHA-256 of its data. Rock Ridge continuation areas are followed.
 */
public final class IsoReader {
  private static final int BLOCK = IsoWriter.BLOCK;
  private static final int MAX_DEPTH = 64;

  private final SeekableByteChannel ch;
  private final long blocks;

  private IsoReader(SeekableByteChannel ch) throws IOException {
    this.ch = ch;
    this.blocks = ch.size() / BLOCK;
  }

  /** Whether {@code ch} holds an ISO 9660 image (a volume descriptor at block 16). */
  public static boolean isIso(SeekableByteChannel ch) throws IOException {
    if (ch.size() < 17L * BLOCK) {
      return false;
    }
    byte[] magic = new byte[5];
    ByteBuffer b = ByteBuffer.wrap(magic);
    ch.position(16L * BLOCK + 1);
    while (b.hasRemaining() && ch.read(b) >= 0) {
      // fill
    }
    return new String(magic, StandardCharsets.US_ASCII).equals("CD001");
  }

  /** The facts of the ISO image in {@code ch}, as the class comment lists them. */
  public static Map<String, Map<String, String>> facts(SeekableByteChannel ch) throws IOException {
    if (!isIso(ch)) {
      throw new KairosException("not an ISO 9660 image: no volume descriptor at block 16");
    }
    IsoReader r = new IsoReader(ch);
    Map<String, Map<String, String>> out = new TreeMap<>();
    ByteBuffer primary = null;
    for (long lba = 16; lba < r.blocks; lba++) {
      ByteBuffer d = r.read(lba * BLOCK, BLOCK);
      int type = d.get(0) & 0xff;
      if (type == 255) {
        break;
      }
      Map<String, String> f = new LinkedHashMap<>();
      if (type == 0) {
        f.put("system", text(d, 7, 32, false));
        f.put("catalog-lba", Integer.toUnsignedString(d.getInt(71)));
        out.put("volume/boot-record", f);
        continue;
      }
      if (type != 1 && type != 2) {
        continue;
      }
      boolean ucs2 = type == 2;
      f.put("system-id", text(d, 8, 32, ucs2));
      f.put("volume-id", text(d, 40, 32, ucs2));
      f.put("blocks", Integer.toUnsignedString(d.getInt(80)));
      f.put("publisher", text(d, 318, 128, ucs2));
      f.put("preparer", text(d, 446, 128, ucs2));
      f.put("application", text(d, 574, 128, ucs2));
      f.put("created", text(d, 813, 16, false));
      f.put("modified", text(d, 830, 16, false));
      f.put("expires", text(d, 847, 16, false));
      f.put("effective", text(d, 864, 16, false));
      out.put(ucs2 ? "volume/joliet" : "volume/primary", f);
      if (type == 1) {
        primary = d;
      }
    }
    if (primary == null) {
      throw new KairosException("ISO image has no primary volume descriptor");
    }
    ByteBuffer root = primary.slice(156, 34).order(ByteOrder.LITTLE_ENDIAN);
    r.directory(Integer.toUnsignedLong(root.getInt(2)), Integer.toUnsignedLong(root.getInt(10)), "", out, 0);
    return out;
  }

  private void directory(long lba, long length, String path, Map<String, Map<String, String>> out, int depth)
      throws IOException {
    if (depth > MAX_DEPTH || length > 64L << 20) {
      throw new KairosException("ISO directory " + (path.isEmpty() ? "/" : path) + " is too deep or too large");
    }
    ByteBuffer d = read(lba * BLOCK, (int) length);
    int at = 0;
    while (at < length) {
      int len = d.get(at) & 0xff;
      if (len == 0) {
        at = (at / BLOCK + 1) * BLOCK; // records do not cross blocks: the rest of this one is padding
        continue;
      }
      ByteBuffer rec = d.slice(at, len).order(ByteOrder.LITTLE_ENDIAN);
      at += len;
      int idLen = rec.get(32) & 0xff;
      if (idLen == 1 && (rec.get(33) == 0 || rec.get(33) == 1)) {
        continue; // "." and ".."
      }
      Map<String, String> f = new LinkedHashMap<>();
      boolean dir = (rec.get(25) & 2) != 0;
      f.put("type", dir ? "directory" : "regular");
      String isoName = text(rec, 33, idLen, false);
      int sua = 33 + idLen + (idLen % 2 == 0 ? 1 : 0);
      StringBuilder name = new StringBuilder();
      StringBuilder target = new StringBuilder();
      systemUse(rec, sua, len, f, name, target, 0);
      if (target.length() > 0) {
        f.put("type", "symlink");
        f.put("target", target.toString());
      }
      String p = path + "/" + (name.length() > 0 ? name : isoName);
      f.put("iso-name", isoName);
      long extent = Integer.toUnsignedLong(rec.getInt(2));
      long size = Integer.toUnsignedLong(rec.getInt(10));
      out.put(p, f);
      if (dir) {
        directory(extent, size, p, out, depth + 1);
      } else if (!"symlink".equals(f.get("type"))) {
        f.put("content", sha256(extent * BLOCK, size) + " (" + size + " bytes)");
      }
    }
  }

  /** Rock Ridge entries from {@code from} to {@code end} of {@code b}, following CE areas. */
  private void systemUse(ByteBuffer b, int from, int end, Map<String, String> f, StringBuilder name,
      StringBuilder target, int hops) throws IOException {
    int at = from;
    long ceLba = -1;
    int ceOffset = 0;
    int ceLength = 0;
    while (at + 4 <= end) {
      String sig = new String(new byte[] {b.get(at), b.get(at + 1)}, StandardCharsets.US_ASCII);
      int len = b.get(at + 2) & 0xff;
      if (len < 4 || at + len > end) {
        break;
      }
      ByteBuffer e = b.slice(at, len).order(ByteOrder.LITTLE_ENDIAN);
      switch (sig) {
        case "PX" -> {
          f.put("mode", String.format("%04o", e.getInt(4) & 07777));
          f.put("uid", Integer.toUnsignedString(e.getInt(20)));
          f.put("gid", Integer.toUnsignedString(e.getInt(28)));
        }
        case "NM" -> name.append(text(e, 5, len - 5, false));
        case "TF" -> {
          int flags = e.get(4) & 0xff;
          int size = (flags & 0x80) != 0 ? 17 : 7;
          int pos = 5 + ((flags & 1) != 0 ? size : 0);
          if ((flags & 2) != 0 && size == 7 && pos + 7 <= len) {
            f.put("mtime", String.format("%04d-%02d-%02dT%02d:%02d:%02d", 1900 + (e.get(pos) & 0xff), e.get(pos + 1),
                e.get(pos + 2), e.get(pos + 3), e.get(pos + 4), e.get(pos + 5)));
          }
        }
        case "SL" -> {
          int c = 5;
          while (c + 2 <= len) {
            int flags = e.get(c) & 0xff;
            int clen = e.get(c + 1) & 0xff;
            if ((flags & 0x08) != 0) {
              target.append('/');
            } else {
              if (target.length() > 0 && target.charAt(target.length() - 1) != '/') {
                target.append('/');
              }
              target.append((flags & 2) != 0 ? "." : (flags & 4) != 0 ? ".." : text(e, c + 2, clen, false));
            }
            c += 2 + clen;
          }
        }
        case "CE" -> {
          ceLba = Integer.toUnsignedLong(e.getInt(4));
          ceOffset = e.getInt(12);
          ceLength = e.getInt(20);
        }
        case "ST" -> at = end;
        default -> {
          // SP, ER, RE, ...: nothing a diff needs
        }
      }
      at += len;
    }
    if (ceLba >= 0) {
      if (hops > 16 || ceLength < 0 || ceLength > BLOCK || ceOffset < 0 || ceOffset > BLOCK) {
        throw new KairosException("Rock Ridge continuation at block " + ceLba + " is malformed");
      }
      ByteBuffer c = read(ceLba * BLOCK + ceOffset, ceLength);
      systemUse(c, 0, ceLength, f, name, target, hops + 1);
    }
  }

  private String sha256(long offset, long size) throws IOException {
    if (offset + size > ch.size()) {
      throw new KairosException("ISO file data at byte " + offset + " (" + size + " bytes) runs past the image's end");
    }
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    long done = 0;
    ch.position(offset);
    while (done < size) {
      buf.clear().limit((int) Math.min(buf.capacity(), size - done));
      int n = ch.read(buf);
      if (n < 0) {
        break;
      }
      md.update(buf.array(), 0, n);
      done += n;
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  private ByteBuffer read(long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    ch.position(offset);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new KairosException("ISO image ends before byte " + (offset + length));
      }
    }
    return b.flip();
  }

  private static String text(ByteBuffer b, int at, int len, boolean ucs2) {
    byte[] s = new byte[len];
    b.get(at, s);
    return new String(s, ucs2 ? StandardCharsets.UTF_16BE : StandardCharsets.UTF_8).strip();
  }
}
