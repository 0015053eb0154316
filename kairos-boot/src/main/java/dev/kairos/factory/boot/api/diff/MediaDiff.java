package dev.kairos.factory.boot.api.diff;

import dev.kairos.factory.boot.api.gpt.GptDisk;
import dev.kairos.factory.boot.internal.disk.Ext2Images;
import dev.kairos.factory.boot.internal.fat.FatReader;
import dev.kairos.factory.boot.internal.iso.IsoReader;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.diff.DiffReport;
import dev.kairos.factory.core.api.diff.Difference;
import dev.kairos.factory.core.api.diff.TreeDiff;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Compares two ISO images or two disk images (raw GPT disks, VHDs) by their structure, so that a
 * difference reads as the field that differs rather than a byte offset:
 *
 * <ul>
 *   <li>a disk: {@code mbr} (boot code hash), {@code gpt} (disk GUID, size),
 *       {@code gpt/partition[N]} (name, type, GUID, first and last LBA, attributes) and for each
 *       partition {@code partition[NAME]} (content hash), {@code partition[NAME]/ext2} (every
 *       superblock field: times, UUID, hash seed, counts, features) or
 *       {@code partition[NAME]/fat} (boot sector fields, then every file with its time and hash);
 *       where a partition's bytes differ, {@code bytes}: how many 4 KiB blocks differ and where
 *       the first is;</li>
 *   <li>an ISO: {@code volume/primary}, {@code volume/joliet}, {@code volume/boot-record} (every
 *       identifier and date), the hybrid GPT in the system area when there is one, and every file
 *       of the Rock Ridge tree (mode, owner, time, link target, content hash).</li>
 * </ul>
 *
 * <pre>{@code
 * DiffReport r = MediaDiff.compare(Path.of("build-1/kairos.iso"), Path.of("build-2/kairos.iso"));
 * if (!r.identical()) {
 *   r.differences().forEach(System.out::println);   // "/boot/initrd: content sha256:.. -> sha256:.."
 * }
 * }</pre>
 */
public final class MediaDiff {
  private static final int BLOCK = 4096;

  private MediaDiff() {
  }

  /** The kind of a file this class compares. */
  public enum Kind {
    /** An ISO 9660 image (a hybrid ISO too). */
    ISO,
    /** A disk image with a GPT. */
    DISK
  }

  /**
   * What {@code file} is, or empty when it is neither an ISO nor a GPT disk.
   *
   * @throws IOException if it cannot be read
   */
  public static java.util.Optional<Kind> kindOf(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file)) {
      if (IsoReader.isIso(ch)) {
        return java.util.Optional.of(Kind.ISO);
      }
      try {
        GptDisk.read(ch);
        return java.util.Optional.of(Kind.DISK);
      } catch (KairosException e) {
        return java.util.Optional.empty();
      }
    }
  }

  /**
   * The structural differences between {@code left} and {@code right}, two ISOs or two disks.
   *
   * @throws KairosException if either is neither, or they are of different kinds, or a structure
   *     in them cannot be read
   */
  public static DiffReport compare(Path left, Path right) throws IOException {
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
    Kind l = kindOf(left).orElseThrow(() -> new KairosException("neither an ISO nor a GPT disk image: " + left));
    Kind r = kindOf(right).orElseThrow(() -> new KairosException("neither an ISO nor a GPT disk image: " + right));
    if (l != r) {
      throw new KairosException("cannot compare " + left + " (" + l + ") with " + right + " (" + r + ")");
    }
    try (FileChannel a = FileChannel.open(left); FileChannel b = FileChannel.open(right)) {
      Facts fa = facts(a, l);
      Facts fb = facts(b, l);
      List<Difference> out = new ArrayList<>(TreeDiff.compare("", fa.places, fb.places));
      for (Map.Entry<String, long[]> region : fa.regions.entrySet()) {
        long[] other = fb.regions.get(region.getKey());
        if (other != null && !Objects.equals(fa.places.get(region.getKey()), fb.places.get(region.getKey()))) {
          bytes(a, region.getValue(), b, other)
              .ifPresent(s -> out.add(Difference.of(region.getKey(), "differing-blocks", "0", s)));
        }
      }
      if (out.isEmpty() && a.size() != b.size()) {
        out.add(Difference.of("", "size", Long.toString(a.size()), Long.toString(b.size())));
      }
      return DiffReport.of(l == Kind.ISO ? "iso" : "disk", out);
    }
  }

  /** Facts by place, and the byte range of each place that stands for a partition. */
  private record Facts(Map<String, Map<String, String>> places, Map<String, long[]> regions) {}

  private static Facts facts(FileChannel ch, Kind kind) throws IOException {
    Map<String, Map<String, String>> places = new TreeMap<>();
    Map<String, long[]> regions = new TreeMap<>();
    if (kind == Kind.ISO) {
      places.putAll(IsoReader.facts(ch));
      try {
        gpt(ch, GptDisk.read(ch), places, regions, false);
      } catch (KairosException e) {
        // an ISO without a hybrid GPT
      }
    } else {
      gpt(ch, GptDisk.read(ch), places, regions, true);
    }
    return new Facts(places, regions);
  }

  private static void gpt(FileChannel ch, GptDisk gpt, Map<String, Map<String, String>> places,
      Map<String, long[]> regions, boolean contents) throws IOException {
    Map<String, String> disk = new LinkedHashMap<>();
    disk.put("disk-guid", gpt.diskGuid().toString());
    disk.put("size", Long.toString(gpt.size()));
    disk.put("boot-code", sha256(gpt.bootCode()));
    places.put("gpt", disk);
    int i = 0;
    for (GptDisk.Partition p : gpt.partitions()) {
      Map<String, String> e = new LinkedHashMap<>();
      e.put("name", p.name());
      e.put("type", p.type().toString());
      e.put("guid", p.guid().toString());
      e.put("first-lba", Long.toString(p.startLba()));
      e.put("last-lba", Long.toString(p.endLba()));
      e.put("attributes", "0x" + Long.toHexString(p.attributes()));
      places.put("gpt/partition[" + ++i + "]", e);
      if (!contents || p.offset() + p.size() > ch.size()) {
        continue;
      }
      String where = "partition[" + (p.name().isEmpty() ? Integer.toString(i) : p.name()) + "]";
      places.put(where, Map.of("content", sha256(ch, p.offset(), p.size()) + " (" + p.size() + " bytes)"));
      regions.put(where, new long[] {p.offset(), p.size()});
      Map<String, String> ext2 = Ext2Images.superblock(ch, p.offset());
      if (!ext2.isEmpty()) {
        places.put(where + "/ext2", ext2);
        continue;
      }
      try {
        FatReader.facts(ch, p.offset()).forEach((path, facts) -> places.put(where + "/fat" + path, facts));
      } catch (KairosException e2) {
        // neither ext2 nor FAT (a BIOS boot partition): its content hash says enough
      }
    }
  }

  /** "N of M 4 KiB blocks differ, the first at byte X" for two equally long ranges, or empty if equal. */
  private static java.util.Optional<String> bytes(SeekableByteChannel a, long[] ra, SeekableByteChannel b, long[] rb)
      throws IOException {
    if (ra[1] != rb[1]) {
      return java.util.Optional.empty();
    }
    ByteBuffer x = ByteBuffer.allocate(1 << 20);
    ByteBuffer y = ByteBuffer.allocate(1 << 20);
    long differing = 0;
    long first = -1;
    for (long done = 0; done < ra[1]; done += x.capacity()) {
      int n = (int) Math.min(x.capacity(), ra[1] - done);
      fill(a, ra[0] + done, x.clear().limit(n));
      fill(b, rb[0] + done, y.clear().limit(n));
      for (int off = 0; off < n; off += BLOCK) {
        int len = Math.min(BLOCK, n - off);
        if (java.util.Arrays.mismatch(x.array(), off, off + len, y.array(), off, off + len) >= 0) {
          if (first < 0) {
            first = done + off + java.util.Arrays.mismatch(x.array(), off, off + len, y.array(), off, off + len);
          }
          differing++;
        }
      }
    }
    if (first < 0) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(differing + " of " + (ra[1] + BLOCK - 1) / BLOCK + " (4 KiB), the first differing byte at "
        + first + " of the partition");
  }

  private static void fill(SeekableByteChannel ch, long at, ByteBuffer buf) throws IOException {
    ch.position(at);
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        break;
      }
    }
  }

  private static String sha256(SeekableByteChannel ch, long offset, long size) throws IOException {
    MessageDigest md = sha256();
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    for (long done = 0; done < size; done += buf.capacity()) {
      int n = (int) Math.min(buf.capacity(), size - done);
      fill(ch, offset + done, buf.clear().limit(n));
      md.update(buf.array(), 0, n);
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  private static String sha256(byte[] data) {
    return "sha256:" + HexFormat.of().formatHex(sha256().digest(data));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
