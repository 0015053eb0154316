package dev.kairos.factory.boot.internal.fat;

import dev.kairos.factory.boot.api.gpt.PartitionContent;
import dev.kairos.factory.boot.internal.io.ChannelWrites;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.FsEntry;
import dev.kairos.factory.core.api.fs.FsEntry.ContentSource;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.AtomicFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * A FAT16 or FAT32 file system image written in Java (for EFI system partitions and El Torito
 * EFI images): long file names, a volume label in the boot sector and the root directory, a
 * serial derived from the content, and timestamps from the {@link SourceDate}, so the same
 * input gives the same bytes. File contents are streamed from their sources at write time.
 *
 * <pre>{@code
 * FatImage esp = FatImage.builder()
 *     .label("COS_GRUB").type(FatType.FAT32)
 *     .file("/EFI/BOOT/BOOTX64.EFI", Path.of("uki.signed.efi"))
 *     .file("/loader/loader.conf", "timeout 5\n".getBytes(UTF_8))
 *     .build();                                  // smallest size that fits, or .size(bytes)
 * esp.writeTo(Path.of("esp.img"));
 * }</pre>
 */
public final class FatImage implements PartitionContent {
  private static final int SECTOR = 512;
  private static final long MIB = 1 << 20;
  private static final int ATTR_DIR = 0x10;
  private static final int ATTR_ARCHIVE = 0x20;
  private static final int ATTR_VOLUME = 0x08;
  private static final int ATTR_LFN = 0x0F;

  /** A file or directory of the tree; the layout fields are set by {@link Layout}. */
  private static final class Node {
    final String name;
    final boolean dir;
    final long size;
    final ContentSource source;
    final Instant mtime;
    final TreeMap<String, Node> children = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    byte[] shortName;
    int caseFlags;
    long firstCluster;
    long clusters;

    Node(String name, boolean dir, long size, ContentSource source, Instant mtime) {
      this.name = name;
      this.dir = dir;
      this.size = size;
      this.source = source;
      this.mtime = mtime;
    }

    boolean needsLfn;

    int lfnSlots() {
      return needsLfn ? (name.length() + 12) / 13 : 0;
    }
  }

  /** Geometry chosen for one volume size. */
  private record Layout(FatType type, long sectors, int spc, int reserved, long fatSectors, int rootEntries,
      long clusters) {
    long clusterBytes() {
      return (long) spc * SECTOR;
    }

    long rootDirSectors() {
      return rootEntries * 32L / SECTOR;
    }

    long dataStart() {
      return reserved + 2 * fatSectors + rootDirSectors();
    }

    static Layout of(FatType type, long sectors) {
      boolean f32 = type == FatType.FAT32;
      int reserved = f32 ? 32 : 4;
      int rootEntries = f32 ? 0 : 512;
      int spc = f32 ? fat32Spc(sectors) : fat16Spc(sectors);
      while (true) {
        long fat = 1;
        long clusters = 0;
        for (int i = 0; i < 64; i++) {
          clusters = (sectors - reserved - 2 * fat - rootEntries * 32L / SECTOR) / spc;
          long need = ((clusters + 2) * (f32 ? 4 : 2) + SECTOR - 1) / SECTOR;
          if (need <= fat) {
            break;
          }
          fat = need;
        }
        long min = f32 ? 65525 : 4085;
        long max = f32 ? 0x0FFF_FFF5L : 65524;
        if (clusters < min && spc > 1) {
          spc /= 2;
          continue;
        }
        if (clusters < min || clusters > max) {
          return null;
        }
        return new Layout(type, sectors, spc, reserved, fat, rootEntries, clusters);
      }
    }

    private static int fat16Spc(long sectors) {
      if (sectors <= 32680) {
        return 2;
      } else if (sectors <= 262144) {
        return 4;
      } else if (sectors <= 524288) {
        return 8;
      } else if (sectors <= 1048576) {
        return 16;
      } else if (sectors <= 2097152) {
        return 32;
      }
      return 64;
    }

    private static int fat32Spc(long sectors) {
      if (sectors <= 532480) {
        return 1;
      } else if (sectors <= 16777216) {
        return 8;
      } else if (sectors <= 33554432) {
        return 16;
      } else if (sectors <= 67108864) {
        return 32;
      }
      return 64;
    }
  }

  private final Node root;
  private final Layout layout;
  private final String label;
  private final int volumeId;
  private final long hiddenSectors;
  private final SourceDate date;
  private final List<long[]> runs = new ArrayList<>();

  private FatImage(Node root, Layout layout, String label, int volumeId, long hiddenSectors, SourceDate date) {
    this.root = root;
    this.layout = layout;
    this.label = label;
    this.volumeId = volumeId;
    this.hiddenSectors = hiddenSectors;
    this.date = date;
    allocate();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Size of the image in bytes. */
  public long size() {
    return layout.sectors() * SECTOR;
  }

  /** FAT16 or FAT32, as chosen. */
  public FatType type() {
    return layout.type();
  }

  /** The volume serial number (what {@code blkid} shows as UUID). */
  public int volumeId() {
    return volumeId;
  }

  /** Creates (or atomically replaces) {@code file}, sparse where the volume is empty. */
  public void writeTo(Path file) throws IOException {
    AtomicFile.write(file, tmp -> {
      try (SeekableByteChannel ch = Files.newByteChannel(tmp, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
        writeTo(ch);
      }
    });
  }

  /**
   * Writes the volume at position 0 of {@code ch}, which must read as zeros where nothing is
   * written (a new file or a fresh partition region); the last byte is always written.
   */
  @Override
  public void writeTo(SeekableByteChannel ch) throws IOException {
    ChannelWrites.writeAt(ch, 0, bootSector());
    if (layout.type() == FatType.FAT32) {
      ChannelWrites.writeAt(ch, SECTOR, fsInfo());
      ChannelWrites.writeAt(ch, 6L * SECTOR, bootSector());
      ChannelWrites.writeAt(ch, 7L * SECTOR, fsInfo());
    }
    writeFats(ch);
    writeDirectory(ch, root, 0);
    writeNode(ch, root);
    // Make the channel exactly as long as the volume, even when its end is free space.
    ChannelWrites.writeAt(ch, size() - 1, new byte[1]);
  }

  // ---------------------------------------------------------------- allocation

  private void allocate() {
    long[] next = {2};
    if (layout.type() == FatType.FAT32) {
      allocate(root, dirBytes(root), next);
    }
    allocateChildren(root, next);
  }

  private void allocateChildren(Node dir, long[] next) {
    for (Node c : dir.children.values()) {
      if (!c.dir) {
        allocate(c, c.size, next);
      }
    }
    for (Node c : dir.children.values()) {
      if (c.dir) {
        allocate(c, dirBytes(c), next);
        allocateChildren(c, next);
      }
    }
  }

  private void allocate(Node n, long bytes, long[] next) {
    long count = (bytes + layout.clusterBytes() - 1) / layout.clusterBytes();
    if (count == 0) {
      return;
    }
    n.firstCluster = next[0];
    n.clusters = count;
    runs.add(new long[] {next[0], count});
    next[0] += count;
  }

  private static long dirEntries(Node dir) {
    long n = 0;
    for (Node c : dir.children.values()) {
      n += 1 + c.lfnSlots();
    }
    return n;
  }

  private long dirBytes(Node dir) {
    long n = dirEntries(dir) + (dir == root ? (label != null ? 1 : 0) : 2);
    return Math.max(1, n) * 32;
  }

  // ---------------------------------------------------------------- writing

  private long usedTotal() {
    long used = 0;
    for (long[] r : runs) {
      used += r[1];
    }
    return used;
  }

  private byte[] bootSector() {
    boolean f32 = layout.type() == FatType.FAT32;
    ByteBuffer b = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0xEB).put((byte) (f32 ? 0x58 : 0x3C)).put((byte) 0x90);
    b.put("KAIROS  ".getBytes(StandardCharsets.US_ASCII));
    b.putShort((short) SECTOR).put((byte) layout.spc()).putShort((short) layout.reserved()).put((byte) 2);
    b.putShort((short) layout.rootEntries());
    b.putShort((short) (layout.sectors() < 65536 ? layout.sectors() : 0));
    b.put((byte) 0xF8);
    b.putShort((short) (f32 ? 0 : layout.fatSectors()));
    b.putShort((short) 32).putShort((short) 64).putInt((int) hiddenSectors);
    b.putInt((int) (layout.sectors() < 65536 ? 0 : layout.sectors()));
    if (f32) {
      b.putInt((int) layout.fatSectors()).putShort((short) 0).putShort((short) 0).putInt(2);
      b.putShort((short) 1).putShort((short) 6);
      b.position(64);
    }
    b.put((byte) 0x80).put((byte) 0).put((byte) 0x29).putInt(volumeId);
    b.put(padName(label == null ? "NO NAME" : label, 11));
    b.put((f32 ? "FAT32   " : "FAT16   ").getBytes(StandardCharsets.US_ASCII));
    // Boot code: "int 0x18" (no bootable OS here), after which firmware tries the next device.
    b.put((byte) 0xCD).put((byte) 0x18);
    b.position(510);
    b.put((byte) 0x55).put((byte) 0xAA);
    return b.array();
  }

  private byte[] fsInfo() {
    ByteBuffer b = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, 0x41615252);
    b.putInt(484, 0x61417272);
    b.putInt(488, (int) (layout.clusters() - usedTotal()));
    b.putInt(492, (int) (2 + usedTotal()));
    b.putInt(508, 0xAA550000);
    return b.array();
  }

  private void writeFats(SeekableByteChannel ch) throws IOException {
    boolean f32 = layout.type() == FatType.FAT32;
    int width = f32 ? 4 : 2;
    long eoc = f32 ? 0x0FFF_FFFFL : 0xFFFFL;
    long fatBytes = layout.fatSectors() * SECTOR;
    int chunk = 64 * 1024;
    long entriesPerChunk = chunk / width;
    int run = 0;
    for (long first = 0; first * width < fatBytes; first += entriesPerChunk) {
      ByteBuffer b = ByteBuffer.allocate((int) Math.min(chunk, fatBytes - first * width)).order(ByteOrder.LITTLE_ENDIAN);
      boolean any = false;
      for (int i = 0; i < b.capacity() / width; i++) {
        long cl = first + i;
        long v = 0;
        if (cl == 0) {
          v = f32 ? 0x0FFF_FFF8L : 0xFFF8L;
        } else if (cl == 1) {
          v = eoc;
        } else {
          while (run < runs.size() && runs.get(run)[0] + runs.get(run)[1] <= cl) {
            run++;
          }
          if (run < runs.size() && runs.get(run)[0] <= cl) {
            long end = runs.get(run)[0] + runs.get(run)[1] - 1;
            v = cl == end ? eoc : cl + 1;
          }
        }
        if (v != 0) {
          any = true;
          if (f32) {
            b.putInt(i * 4, (int) v);
          } else {
            b.putShort(i * 2, (short) v);
          }
        }
      }
      if (any) {
        for (int copy = 0; copy < 2; copy++) {
          ChannelWrites.writeAt(ch, (layout.reserved() + copy * layout.fatSectors()) * SECTOR + first * width, b.array());
        }
      }
    }
  }

  private long clusterOffset(long cluster) {
    return (layout.dataStart() + (cluster - 2) * layout.spc()) * SECTOR;
  }

  private void writeNode(SeekableByteChannel ch, Node dir) throws IOException {
    for (Node c : dir.children.values()) {
      if (c.dir) {
        writeDirectory(ch, c, dir == root ? 0 : dir.firstCluster);
        writeNode(ch, c);
      } else if (c.size > 0) {
        ch.position(clusterOffset(c.firstCluster));
        try (InputStream in = c.source.open()) {
          ChannelWrites.copy(in, ch, c.size, c.name);
        }
      }
    }
  }

  private void writeDirectory(SeekableByteChannel ch, Node dir, long parentCluster) throws IOException {
    boolean isRoot = dir == root;
    long bytes = isRoot && layout.type() == FatType.FAT16 ? layout.rootEntries() * 32L
        : dir.clusters * layout.clusterBytes();
    ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    int[] stamp = fatTime(date.instant());
    if (isRoot) {
      if (label != null) {
        entry(b, padName(label, 11), ATTR_VOLUME, 0, 0, 0, stamp);
      }
    } else {
      entry(b, padName(".", 11), ATTR_DIR, 0, dir.firstCluster, 0, stamp);
      entry(b, padName("..", 11), ATTR_DIR, 0, parentCluster, 0, stamp);
    }
    for (Node c : dir.children.values()) {
      if (c.needsLfn) {
        lfn(b, c);
      }
      entry(b, c.shortName, c.dir ? ATTR_DIR : ATTR_ARCHIVE, c.caseFlags, c.firstCluster, c.dir ? 0 : c.size,
          fatTime(c.mtime == null ? date.instant() : date.clamp(c.mtime)));
    }
    long pos = isRoot && layout.type() == FatType.FAT16
        ? (layout.reserved() + 2 * layout.fatSectors()) * SECTOR : clusterOffset(dir.firstCluster);
    ChannelWrites.writeAt(ch, pos, b.array());
  }

  private static void entry(ByteBuffer b, byte[] name, int attr, int caseFlags, long cluster, long size, int[] t) {
    b.put(name).put((byte) attr).put((byte) caseFlags).put((byte) 0);
    b.putShort((short) t[1]).putShort((short) t[0]).putShort((short) t[0]);
    b.putShort((short) (cluster >>> 16));
    b.putShort((short) t[1]).putShort((short) t[0]);
    b.putShort((short) cluster).putInt((int) size);
  }

  private static void lfn(ByteBuffer b, Node c) {
    int sum = 0;
    for (byte x : c.shortName) {
      sum = (((sum & 1) << 7) + ((sum & 0xFF) >> 1) + (x & 0xFF)) & 0xFF;
    }
    int slots = c.lfnSlots();
    char[] units = new char[slots * 13];
    java.util.Arrays.fill(units, (char) 0xFFFF);
    c.name.getChars(0, c.name.length(), units, 0);
    if (c.name.length() < units.length) {
      units[c.name.length()] = 0;
    }
    for (int s = slots; s >= 1; s--) {
      int base = (s - 1) * 13;
      b.put((byte) (s | (s == slots ? 0x40 : 0)));
      for (int i = 0; i < 5; i++) {
        b.putShort((short) units[base + i]);
      }
      b.put((byte) ATTR_LFN).put((byte) 0).put((byte) sum);
      for (int i = 5; i < 11; i++) {
        b.putShort((short) units[base + i]);
      }
      b.putShort((short) 0);
      for (int i = 11; i < 13; i++) {
        b.putShort((short) units[base + i]);
      }
    }
  }

  /** {date, time} in FAT encoding; before 1980 becomes 1980-01-01 00:00, after 2107 the last day. */
  private static int[] fatTime(Instant t) {
    LocalDateTime d = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    if (d.getYear() < 1980) {
      d = LocalDateTime.of(1980, 1, 1, 0, 0);
    } else if (d.getYear() > 2107) {
      d = LocalDateTime.of(2107, 12, 31, 23, 59, 58);
    }
    int date = ((d.getYear() - 1980) << 9) | (d.getMonthValue() << 5) | d.getDayOfMonth();
    int time = (d.getHour() << 11) | (d.getMinute() << 5) | (d.getSecond() / 2);
    return new int[] {date, time};
  }

  private static byte[] padName(String s, int len) {
    byte[] out = new byte[len];
    java.util.Arrays.fill(out, (byte) ' ');
    byte[] in = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(in, 0, out, 0, Math.min(len, in.length));
    return out;
  }

  // ---------------------------------------------------------------- short names

  private static final String SFN_SPECIAL = "$%'-_@~`!(){}^#&";

  private static boolean sfnChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || SFN_SPECIAL.indexOf(c) >= 0;
  }

  /** Gives every child of {@code dir} an 8.3 name: its own when it is one, else a unique alias. */
  private static void assignShortNames(Node dir) {
    Set<String> used = new HashSet<>();
    List<Node> aliased = new ArrayList<>();
    for (Node c : dir.children.values()) {
      String direct = directShortName(c);
      if (direct != null) {
        used.add(direct);
      } else {
        aliased.add(c);
      }
    }
    for (Node c : aliased) {
      c.needsLfn = true;
      String upper = c.name.toUpperCase(Locale.ROOT);
      int dot = upper.lastIndexOf('.');
      String base = clean(dot > 0 ? upper.substring(0, dot) : upper);
      String ext = clean(dot > 0 ? upper.substring(dot + 1) : "");
      if (base.isEmpty()) {
        base = "_";
      }
      ext = ext.length() > 3 ? ext.substring(0, 3) : ext;
      for (int n = 1; ; n++) {
        String tail = "~" + n;
        String b = base.substring(0, Math.min(base.length(), 8 - tail.length())) + tail;
        String key = b + "." + ext;
        if (used.add(key)) {
          c.shortName = sfnBytes(b, ext);
          break;
        }
        if (n > 999_999) {
          throw new IllegalStateException("no free short name for " + c.name);
        }
      }
    }
    for (Node c : dir.children.values()) {
      if (c.dir) {
        assignShortNames(c);
      }
    }
  }

  private static String clean(String s) {
    StringBuilder sb = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (ch == ' ' || ch == '.') {
        continue;
      }
      sb.append(sfnChar(ch) ? ch : '_');
    }
    return sb.toString();
  }

  /** Sets the node's 8.3 name when its long name is one (with NT case flags); returns the key or null. */
  private static String directShortName(Node c) {
    String n = c.name;
    int dot = n.lastIndexOf('.');
    String base = dot >= 0 ? n.substring(0, dot) : n;
    String ext = dot >= 0 ? n.substring(dot + 1) : "";
    if (base.isEmpty() || base.length() > 8 || ext.length() > 3 || base.indexOf('.') >= 0
        || (dot >= 0 && ext.isEmpty())) {
      return null;
    }
    int flags = 0;
    for (String[] part : new String[][] {{base, "8"}, {ext, "16"}}) {
      String p = part[0];
      String up = p.toUpperCase(Locale.ROOT);
      for (char ch : up.toCharArray()) {
        if (!sfnChar(ch)) {
          return null;
        }
      }
      if (!p.equals(up)) {
        if (!p.equals(p.toLowerCase(Locale.ROOT))) {
          return null; // mixed case needs a long name
        }
        flags |= Integer.parseInt(part[1]);
      }
    }
    c.shortName = sfnBytes(base.toUpperCase(Locale.ROOT), ext.toUpperCase(Locale.ROOT));
    c.caseFlags = flags;
    return base.toUpperCase(Locale.ROOT) + "." + ext.toUpperCase(Locale.ROOT);
  }

  private static byte[] sfnBytes(String base, String ext) {
    byte[] out = padName(base, 11);
    byte[] e = ext.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(e, 0, out, 8, e.length);
    if ((out[0] & 0xFF) == 0xE5) {
      out[0] = 0x05;
    }
    return out;
  }

  /** Collects the tree and the volume settings. */
  public static final class Builder {
    private final Node root = new Node("", true, 0, null, null);
    private FatType type = FatType.AUTO;
    private long size = -1;
    private String label;
    private Integer volumeId;
    private long hiddenSectors;
    private SourceDate sourceDate;

    private Builder() {
    }

    /** The volume label: at most 11 characters, stored upper-case (e.g. {@code COS_GRUB}, {@code EFI_LIVE}). */
    public Builder label(String label) {
      String l = Objects.requireNonNull(label, "label").toUpperCase(Locale.ROOT);
      if (l.isEmpty() || l.length() > 11 || !l.chars().allMatch(ch -> ch == ' ' || ch == '.' ? ch == ' '
          : sfnChar((char) ch))) {
        throw new IllegalArgumentException("a FAT label is 1-11 characters of A-Z 0-9 space and "
            + SFN_SPECIAL + ", got '" + label + "'");
      }
      this.label = l;
      return this;
    }

    public Builder type(FatType type) {
      this.type = Objects.requireNonNull(type, "type");
      return this;
    }

    /** The volume size in bytes (a multiple of 512); default: the smallest whole MiB that fits. */
    public Builder size(long bytes) {
      if (bytes <= 0 || bytes % SECTOR != 0) {
        throw new IllegalArgumentException("FAT volume size must be a positive multiple of 512, got " + bytes);
      }
      this.size = bytes;
      return this;
    }

    /** The volume serial; default a CRC32 of the label and the tree, so it is reproducible. */
    public Builder volumeId(int id) {
      this.volumeId = id;
      return this;
    }

    /** The partition's first LBA, recorded in the boot sector (0 for a bare image). */
    public Builder hiddenSectors(long lba) {
      if (lba < 0 || lba > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("hidden sectors out of range: " + lba);
      }
      this.hiddenSectors = lba;
      return this;
    }

    /** Timestamps of directories and byte-array files, and the clamp for others; default from the environment. */
    public Builder sourceDate(SourceDate date) {
      this.sourceDate = Objects.requireNonNull(date, "date");
      return this;
    }

    /** Creates a directory and its parents (e.g. {@code /EFI/tools}). */
    public Builder directory(String path) {
      dir(split(path), path);
      return this;
    }

    /** Adds a file with the content of a host file, read when the image is written. */
    public Builder file(String path, Path hostFile) throws IOException {
      long sz = Files.size(hostFile);
      return add(path, sz, () -> Files.newInputStream(hostFile), null);
    }

    /** Adds a file with fixed content. */
    public Builder file(String path, byte[] content) {
      byte[] copy = content.clone();
      return add(path, copy.length, () -> new ByteArrayInputStream(copy), null);
    }

    /**
     * Adds the directories and regular files below {@code from} in {@code fs} under {@code to}
     * (mtimes clamped to the source date); symlinks and special files are refused, as FAT has none.
     */
    public Builder tree(RootFs fs, ImagePath from, String to) throws IOException {
      ImagePath base = fs.realPath(from, true);
      List<String> target = split(to);
      fs.walk(base, e -> addEntry(e, base, target));
      return this;
    }

    private void addEntry(FsEntry e, ImagePath base, List<String> target) throws IOException {
      List<String> names = new ArrayList<>(target);
      names.addAll(e.path().names().subList(base.names().size(), e.path().names().size()));
      String p = "/" + String.join("/", names);
      if (e.type() == FileType.DIRECTORY) {
        dir(names, p);
      } else if (e.type() == FileType.REGULAR) {
        add(p, e.metadata().size(), e::openContent, e.metadata().mtime());
      } else {
        throw new IllegalArgumentException("FAT cannot hold the " + e.type() + " " + e.path());
      }
    }

    private Builder add(String path, long size, ContentSource source, Instant mtime) {
      List<String> names = split(path);
      if (names.isEmpty()) {
        throw new IllegalArgumentException("a file needs a name, got '" + path + "'");
      }
      if (size > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("FAT files are below 4 GiB, " + path + " has " + size + " bytes");
      }
      Node parent = dir(names.subList(0, names.size() - 1), path);
      String name = names.get(names.size() - 1);
      Node old = parent.children.get(name);
      if (old != null && (old.dir || !old.name.equals(name))) {
        throw new IllegalArgumentException(path + " clashes with " + old.name + " (FAT names ignore case)");
      }
      parent.children.put(name, new Node(name, false, size, source, mtime));
      return this;
    }

    private Node dir(List<String> names, String path) {
      Node d = root;
      for (String n : names) {
        Node c = d.children.get(n);
        if (c == null) {
          c = new Node(n, true, 0, null, null);
          d.children.put(n, c);
        } else if (!c.dir || !c.name.equals(n)) {
          throw new IllegalArgumentException(path + ": " + n + " clashes with " + c.name
              + (c.dir ? " (FAT names ignore case)" : ", a file"));
        }
        d = c;
      }
      return d;
    }

    private static List<String> split(String path) {
      List<String> out = new ArrayList<>();
      for (String n : Objects.requireNonNull(path, "path").split("/")) {
        if (n.isEmpty()) {
          continue;
        }
        if (n.equals(".") || n.equals("..") || n.length() > 255 || n.endsWith(".") || n.endsWith(" ")
            || n.chars().anyMatch(ch -> ch < 0x20 || "\"*:<>?\\|".indexOf(ch) >= 0)) {
          throw new IllegalArgumentException("not a valid FAT long name: '" + n + "' in '" + path + "'");
        }
        out.add(n);
      }
      return out;
    }

    /** Lays the volume out; fails when the tree does not fit the given size and type. */
    public FatImage build() throws IOException {
      SourceDate date = sourceDate != null ? sourceDate : SourceDate.fromEnvironment();
      assignShortNames(root);
      int id = volumeId != null ? volumeId : serial();
      if (size > 0) {
        Layout l = layoutFor(size / SECTOR);
        if (l == null) {
          throw new IllegalArgumentException(size + " bytes is outside the range of " + type
              + " (FAT16: about 2 MiB to 4 GiB, FAT32: from about 33 MiB)");
        }
        FatImage img = new FatImage(root, l, label, id, hiddenSectors, date);
        if (l.type() == FatType.FAT16 && dirEntries(root) + 1 > l.rootEntries()) {
          throw new IllegalArgumentException("the FAT16 root directory holds " + l.rootEntries()
              + " entries, the files need " + (dirEntries(root) + 1));
        }
        if (img.usedTotal() > l.clusters()) {
          throw new IllegalArgumentException("the files need " + img.usedTotal() * l.clusterBytes()
              + " bytes of clusters, a " + size + "-byte " + l.type() + " volume has "
              + l.clusters() * l.clusterBytes());
        }
        return img;
      }
      long mib = type == FatType.FAT32 ? 33 : 4;
      for (int i = 0; i < 4096; i++) {
        Layout l = layoutFor(mib * MIB / SECTOR);
        if (l != null) {
          FatImage img = new FatImage(root, l, label, id, hiddenSectors, date);
          if (img.usedTotal() <= l.clusters() && (l.type() == FatType.FAT32 || dirEntries(root) + 1 <= l.rootEntries())) {
            return img;
          }
        }
        mib += Math.max(1, mib / 32);
      }
      throw new IllegalArgumentException("the files do not fit any " + type + " volume");
    }

    private Layout layoutFor(long sectors) {
      FatType t = type;
      if (t == FatType.AUTO) {
        t = sectors * SECTOR >= 512 * MIB ? FatType.FAT32 : FatType.FAT16;
      }
      return Layout.of(t, sectors);
    }

    private int serial() {
      CRC32 crc = new CRC32();
      crc.update(String.valueOf(label).getBytes(StandardCharsets.UTF_8));
      serial(root, crc);
      return (int) crc.getValue();
    }

    private static void serial(Node d, CRC32 crc) {
      for (Node c : d.children.values()) {
        crc.update((c.name + "/" + c.size + "\n").getBytes(StandardCharsets.UTF_8));
        if (c.dir) {
          serial(c, crc);
        }
      }
    }
  }
}
