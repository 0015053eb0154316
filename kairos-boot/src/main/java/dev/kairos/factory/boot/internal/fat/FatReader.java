package dev.kairos.factory.boot.internal.fat;

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
 * Reads back what {@link FatImage} writes (FAT16 and FAT32, long names): the boot sector's fields
 * and every file and directory with its attributes, time and content hash, as facts by place for
 * a diff. Works on a window of a larger image (a partition of a disk, an ESP inside an ISO).
 */
public final class FatReader {
  private static final int MAX_DEPTH = 64;

  private final SeekableByteChannel ch;
  private final long base;
  private final int bytesPerSector;
  private final long clusterBytes;
  private final long fatOffset;
  private final boolean fat32;
  private final long rootDirOffset;
  private final int rootEntries;
  private final long dataOffset;
  private final long clusters;
  private final Map<String, String> header = new LinkedHashMap<>();

  private FatReader(SeekableByteChannel ch, long base) throws IOException {
    this.ch = ch;
    this.base = base;
    ByteBuffer b = read(0, 512);
    if ((b.getShort(510) & 0xffff) != 0xAA55) {
      throw new KairosException("no FAT boot sector signature at byte " + base);
    }
    bytesPerSector = b.getShort(11) & 0xffff;
    int spc = b.get(13) & 0xff;
    int reserved = b.getShort(14) & 0xffff;
    int fats = b.get(16) & 0xff;
    rootEntries = b.getShort(17) & 0xffff;
    long total = (b.getShort(19) & 0xffff) != 0 ? b.getShort(19) & 0xffff : Integer.toUnsignedLong(b.getInt(32));
    long fatSectors = (b.getShort(22) & 0xffff) != 0 ? b.getShort(22) & 0xffff : Integer.toUnsignedLong(b.getInt(36));
    if (bytesPerSector < 512 || spc == 0 || fats == 0 || fatSectors == 0) {
      throw new KairosException("not a FAT boot sector at byte " + base);
    }
    fat32 = rootEntries == 0;
    clusterBytes = (long) bytesPerSector * spc;
    fatOffset = (long) reserved * bytesPerSector;
    rootDirOffset = fatOffset + fats * fatSectors * bytesPerSector;
    dataOffset = rootDirOffset + ((long) rootEntries * 32 + bytesPerSector - 1) / bytesPerSector * bytesPerSector;
    clusters = (total * bytesPerSector - dataOffset) / clusterBytes;
    int ext = fat32 ? 64 : 36;
    header.put("type", fat32 ? "fat32" : "fat16");
    header.put("oem-name", ascii(b, 3, 8));
    header.put("sector-size", Integer.toString(bytesPerSector));
    header.put("sectors-per-cluster", Integer.toString(spc));
    header.put("reserved-sectors", Integer.toString(reserved));
    header.put("fats", Integer.toString(fats));
    header.put("root-entries", Integer.toString(rootEntries));
    header.put("sectors", Long.toString(total));
    header.put("fat-sectors", Long.toString(fatSectors));
    header.put("hidden-sectors", Integer.toUnsignedString(b.getInt(28)));
    header.put("volume-id", String.format("%08X", b.getInt(ext + 3)));
    header.put("label", ascii(b, ext + 7, 11));
  }

  /**
   * The facts of the FAT file system at {@code offset} of {@code ch}: place {@code ""} holds the
   * boot sector's fields, and each file or directory its own ({@code /EFI/BOOT/BOOTX64.EFI}).
   */
  public static Map<String, Map<String, String>> facts(SeekableByteChannel ch, long offset) throws IOException {
    FatReader r = new FatReader(ch, offset);
    Map<String, Map<String, String>> out = new TreeMap<>();
    out.put("", r.header);
    if (r.fat32) {
      r.directory(r.chain(Integer.toUnsignedLong(r.read(0, 512).getInt(44))), "", out, 0);
    } else {
      r.directory(new long[] {-1}, "", out, 0);
    }
    return out;
  }

  private void directory(long[] chain, String path, Map<String, Map<String, String>> out, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new KairosException("FAT directories nest deeper than " + MAX_DEPTH + " at " + path);
    }
    byte[] dir = chain.length == 1 && chain[0] == -1
        ? read(rootDirOffset, rootEntries * 32).array()
        : readChain(chain, chain.length * clusterBytes);
    StringBuilder lfn = new StringBuilder();
    for (int at = 0; at + 32 <= dir.length; at += 32) {
      ByteBuffer e = ByteBuffer.wrap(dir, at, 32).slice().order(ByteOrder.LITTLE_ENDIAN);
      int first = e.get(0) & 0xff;
      if (first == 0) {
        break;
      }
      int attr = e.get(11) & 0xff;
      if (first == 0xE5) {
        lfn.setLength(0);
        continue;
      }
      if (attr == 0x0F) {
        // Long-name pieces come last piece first: prepend each.
        StringBuilder piece = new StringBuilder();
        for (int off : new int[] {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30}) {
          char c = e.getChar(off);
          if (c == 0 || c == 0xFFFF) {
            break;
          }
          piece.append(c);
        }
        lfn.insert(0, piece);
        continue;
      }
      if ((attr & 0x08) != 0) {
        lfn.setLength(0);
        continue; // the volume label entry
      }
      String shortName = ascii(e, 0, 8) + (ascii(e, 8, 3).isEmpty() ? "" : "." + ascii(e, 8, 3));
      String name = lfn.length() > 0 ? lfn.toString() : shortName;
      lfn.setLength(0);
      if (name.equals(".") || name.equals("..")) {
        continue;
      }
      boolean isDir = (attr & 0x10) != 0;
      long cluster = (fat32 ? (long) (e.getShort(20) & 0xffff) << 16 : 0) | (e.getShort(26) & 0xffff);
      long size = Integer.toUnsignedLong(e.getInt(28));
      Map<String, String> f = new LinkedHashMap<>();
      f.put("type", isDir ? "directory" : "regular");
      f.put("short-name", shortName);
      f.put("attributes", String.format("0x%02X", attr));
      f.put("mtime", dosTime(e.getShort(24), e.getShort(22)));
      f.put("ctime", dosTime(e.getShort(16), e.getShort(14)));
      f.put("adate", dosTime(e.getShort(18), (short) 0).substring(0, 10));
      String p = path + "/" + name;
      out.put(p, f);
      if (isDir) {
        directory(chain(cluster), p, out, depth + 1);
      } else {
        f.put("content", sha256(cluster == 0 ? new byte[0] : readChain(chain(cluster), size)) + " (" + size + " bytes)");
      }
    }
  }

  private long[] chain(long first) throws IOException {
    java.util.List<Long> out = new java.util.ArrayList<>();
    long c = first;
    while (c >= 2 && c < clusters + 2) {
      if (out.size() > clusters) {
        throw new KairosException("FAT cluster chain from " + first + " loops");
      }
      out.add(c);
      ByteBuffer entry = read(fatOffset + c * (fat32 ? 4 : 2), fat32 ? 4 : 2);
      c = fat32 ? entry.getInt(0) & 0x0FFF_FFFFL : entry.getShort(0) & 0xffff;
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private byte[] readChain(long[] chain, long size) throws IOException {
    if (size > Integer.MAX_VALUE - 16 || size > chain.length * clusterBytes) {
      throw new KairosException("FAT file of " + size + " bytes does not fit its " + chain.length + " clusters");
    }
    byte[] out = new byte[(int) size];
    for (int i = 0; i < chain.length && (long) i * clusterBytes < size; i++) {
      int n = (int) Math.min(clusterBytes, size - i * clusterBytes);
      read(dataOffset + (chain[i] - 2) * clusterBytes, n).get(out, (int) (i * clusterBytes), n);
    }
    return out;
  }

  private ByteBuffer read(long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    ch.position(base + offset);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new KairosException("FAT file system ends before byte " + (base + offset + length));
      }
    }
    return b.flip();
  }

  private static String ascii(ByteBuffer b, int at, int len) {
    byte[] s = new byte[len];
    b.get(at, s);
    return new String(s, StandardCharsets.US_ASCII).strip();
  }

  private static String dosTime(short date, short time) {
    int d = date & 0xffff;
    int t = time & 0xffff;
    return String.format("%04d-%02d-%02dT%02d:%02d:%02d", 1980 + (d >> 9), (d >> 5) & 15, d & 31, t >> 11, (t >> 5) & 63,
        (t & 31) * 2);
  }

  static String sha256(byte[] data) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
