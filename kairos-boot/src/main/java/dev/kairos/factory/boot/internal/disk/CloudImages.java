package dev.kairos.factory.boot.internal.disk;

import dev.kairos.factory.boot.api.gpt.GptDisk;
import dev.kairos.factory.boot.api.gpt.Guids;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.io.AtomicFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * The raw disk in the clouds' import formats: an Azure fixed VHD (the disk followed by a VHD
 * footer, per Microsoft's "Virtual Hard Disk Image Format Specification" 1.0) and a GCE image
 * ({@code disk.raw} alone in a gzip-compressed GNU tar). Both are deterministic: every time is the
 * source date and the VHD's unique id is derived from the disk's content.
 */
public final class CloudImages {
  /** Compute Engine imports disks whose size is a whole number of GiB. */
  public static final long GCE_ALIGNMENT = 1L << 30;
  /** The size of the VHD footer (a fixed disk has nothing else). */
  public static final int VHD_FOOTER = 512;
  /** Seconds from the Unix epoch to the VHD epoch, 2000-01-01T00:00:00Z. */
  private static final long VHD_EPOCH = 946_684_800L;
  private static final int TAR_BLOCK = 512;

  private CloudImages() {}

  /** {@code size} rounded up to a multiple of {@code alignment}. */
  public static long roundedSize(long alignment, long size) {
    return (size + alignment - 1) / alignment * alignment;
  }

  /** Writes {@code disk} followed by its fixed-VHD footer to {@code out}, atomically. */
  public static void writeVhd(GptDisk disk, Path out, SourceDate date) throws IOException {
    if (disk.size() % (1 << 20) != 0) {
      throw new IllegalArgumentException("an Azure VHD's disk is a multiple of 1 MiB, got " + disk.size());
    }
    AtomicFile.write(out, tmp -> {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
        disk.writeTo(ch);
        UUID id = Guids.v5(Guids.URL_NAMESPACE, "kairos-vhd:" + sha256(ch, disk.size()));
        ByteBuffer footer = ByteBuffer.wrap(vhdFooter(disk.size(), date.instant(), id));
        for (long pos = disk.size(); footer.hasRemaining(); ) {
          pos += ch.write(footer, pos);
        }
      }
    });
  }

  /**
   * The 512-byte footer of a fixed VHD of {@code size} bytes: cookie {@code conectix}, features
   * 2 (reserved, always set), version 1.0, no data offset (fixed), the timestamp in seconds since
   * 2000 (0 for earlier times), creator {@code qem2} (the creator qemu writes when the current
   * size is exact, so that qemu and Hyper-V read the size from the footer and not from the CHS
   * geometry, which cannot express every size), host {@code Wi2k}, the sizes, the CHS geometry,
   * type 2 (fixed), the one's-complement checksum, {@code id}, saved state 0.
   */
  public static byte[] vhdFooter(long size, Instant timestamp, UUID id) {
    ByteBuffer b = ByteBuffer.allocate(VHD_FOOTER);
    b.put("conectix".getBytes(StandardCharsets.US_ASCII));
    b.putInt(2);
    b.putInt(0x0001_0000);
    b.putLong(-1L);
    b.putInt((int) Math.max(0, Math.min(0xFFFF_FFFFL, timestamp.getEpochSecond() - VHD_EPOCH)));
    b.put("qem2".getBytes(StandardCharsets.US_ASCII));
    b.putInt(0x0001_0000);
    b.put("Wi2k".getBytes(StandardCharsets.US_ASCII));
    b.putLong(size);
    b.putLong(size);
    b.putInt(chs(size));
    b.putInt(2);
    int checksumAt = b.position();
    b.putInt(0);
    b.putLong(id.getMostSignificantBits());
    b.putLong(id.getLeastSignificantBits());
    b.put((byte) 0);
    byte[] footer = b.array();
    int sum = 0;
    for (byte x : footer) {
      sum += x & 0xFF;
    }
    ByteBuffer.wrap(footer).putInt(checksumAt, ~sum);
    return footer;
  }

  /** The CHS geometry (cylinders: 16 bits, heads: 8, sectors per track: 8) as the VHD specification's appendix computes it. */
  static int chs(long size) {
    long total = Math.min(size / 512, 65535L * 16 * 255);
    long spt;
    long heads;
    long cth;
    if (total >= 65535L * 16 * 63) {
      spt = 255;
      heads = 16;
      cth = total / spt;
    } else {
      spt = 17;
      cth = total / spt;
      heads = Math.max(4, (cth + 1023) / 1024);
      if (cth >= heads * 1024 || heads > 16) {
        spt = 31;
        heads = 16;
        cth = total / spt;
      }
      if (cth >= heads * 1024) {
        spt = 63;
        heads = 16;
        cth = total / spt;
      }
    }
    long cylinders = cth / heads;
    return (int) ((cylinders << 16) | (heads << 8) | spt);
  }

  /**
   * Writes {@code disk} to {@code work/disk.raw}, then {@code out} as a gzip-compressed GNU tar
   * holding only {@code disk.raw} (mode 0644, owner 0:0, time the source date), as Compute Engine
   * imports it. The disk's size must already be a multiple of 1 GiB.
   */
  public static void writeGce(GptDisk disk, Path out, Path work, SourceDate date) throws IOException {
    if (disk.size() % GCE_ALIGNMENT != 0) {
      throw new IllegalArgumentException("a GCE disk is a multiple of 1 GiB, got " + disk.size());
    }
    Path raw = work.resolve("disk.raw");
    disk.writeTo(raw);
    AtomicFile.write(out, tmp -> {
      try (OutputStream o = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), 1 << 16);
          InputStream in = Files.newInputStream(raw)) {
        long size = Files.size(raw);
        o.write(tarHeader("disk.raw", size, date.instant()));
        long copied = in.transferTo(o);
        if (copied != size) {
          throw new IOException(raw + " changed while it was archived");
        }
        o.write(new byte[(int) ((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK)]);
        o.write(new byte[2 * TAR_BLOCK]);
      }
    });
    Files.delete(raw);
  }

  /** A GNU ("oldgnu", magic {@code "ustar  \0"}) header of a regular file; sizes from 8 GiB on are in base-256, as GNU tar writes them. */
  static byte[] tarHeader(String name, long size, Instant mtime) {
    byte[] h = new byte[TAR_BLOCK];
    put(h, 0, name.getBytes(StandardCharsets.US_ASCII));
    octal(h, 100, 8, 0644);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    if (size < 1L << 33) {
      octal(h, 124, 12, size);
    } else {
      h[124] = (byte) 0x80;
      for (int i = 0; i < 8; i++) {
        h[135 - i] = (byte) (size >>> (8 * i));
      }
    }
    octal(h, 136, 12, Math.max(0, mtime.getEpochSecond()));
    h[156] = '0';
    put(h, 257, "ustar  \0".getBytes(StandardCharsets.US_ASCII));
    put(h, 265, "root".getBytes(StandardCharsets.US_ASCII));
    put(h, 297, "root".getBytes(StandardCharsets.US_ASCII));
    // The checksum is computed with its own field as spaces, then written as six digits, NUL, space.
    java.util.Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte x : h) {
      sum += x & 0xFF;
    }
    String c = String.format("%06o", sum);
    put(h, 148, (c + "\0 ").getBytes(StandardCharsets.US_ASCII));
    return h;
  }

  private static void octal(byte[] h, int at, int len, long value) {
    String s = Long.toOctalString(value);
    String padded = "0".repeat(len - 1 - s.length()) + s;
    put(h, at, padded.getBytes(StandardCharsets.US_ASCII));
  }

  private static void put(byte[] h, int at, byte[] v) {
    System.arraycopy(v, 0, h, at, v.length);
  }

  /** The SHA-256 of the first {@code size} bytes of {@code ch}, in hex. */
  private static String sha256(FileChannel ch, long size) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    for (long pos = 0; pos < size; ) {
      buf.clear();
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("the disk ended at " + pos + " of " + size + " bytes");
      }
      buf.flip();
      md.update(buf);
      pos += n;
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
