package dev.kairos.factory.boot.api.gpt;

import dev.kairos.factory.boot.internal.io.ChannelWrites;
import dev.kairos.factory.boot.internal.io.WindowChannel;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * A GPT-partitioned disk image: protective MBR, primary header and entry array at the start,
 * backup entry array and header at the end, CRC32s, partition names and type GUIDs. GUIDs are
 * derived from a seed unless given, so the same layout always gives the same bytes. Partition
 * contents are streamed in; regions nothing writes stay holes in a sparse file.
 *
 * <pre>{@code
 * GptDisk disk = GptDisk.builder()
 *     .seed("KAIROS_DISK")                              // disk GUID = UUIDv5(URL, seed)
 *     .add(GptDisk.partition("efi").type(GptType.ESP).size(64L << 20)
 *         .content(PartitionContent.ofFile(Path.of("esp.img"))))
 *     .add(GptDisk.partition("root").type(GptType.LINUX_DATA).size(0))  // fills the rest
 *     .size(1L << 30)
 *     .build();
 * disk.writeTo(Path.of("disk.raw"));
 * }</pre>
 */
public final class GptDisk {
  /** The logical sector size; the only one supported. */
  public static final int SECTOR = 512;
  private static final int ENTRIES = 128;
  private static final int ENTRY_SIZE = 128;
  private static final int ENTRY_SECTORS = ENTRIES * ENTRY_SIZE / SECTOR;
  /** LBA 0 (MBR), 1 (header) and the entry array. */
  private static final long FIRST_USABLE = 2 + ENTRY_SECTORS;

  private final long sectors;
  private final UUID diskGuid;
  private final List<Partition> partitions;
  private final byte[] bootCode;
  /** The partition (index) the MBR also lists, with its MBR type; -1 for a plain protective MBR. */
  private final int hybridIndex;
  private final int hybridType;

  private GptDisk(long sectors, UUID diskGuid, List<Partition> partitions, byte[] bootCode, int hybridIndex,
      int hybridType) {
    this.sectors = sectors;
    this.diskGuid = diskGuid;
    this.partitions = List.copyOf(partitions);
    this.bootCode = bootCode;
    this.hybridIndex = hybridIndex;
    this.hybridType = hybridType;
  }

  /** Starts an empty disk: GUID from the default seed, 1 MiB alignment, size fitted to the partitions. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts describing one partition. */
  public static Partition.Builder partition(String name) {
    return new Partition.Builder(name);
  }

  /** The disk size in bytes. */
  public long size() {
    return sectors * SECTOR;
  }

  /** The disk GUID written into both GPT headers. */
  public UUID diskGuid() {
    return diskGuid;
  }

  /** The partitions in table order, with their final places. */
  public List<Partition> partitions() {
    return partitions;
  }

  /** Creates (or atomically replaces, see {@link AtomicFile}) {@code file} as a sparse disk image and writes tables and contents. */
  public void writeTo(Path file) throws IOException {
    AtomicFile.write(file, tmp -> {
      try (SeekableByteChannel ch = Files.newByteChannel(tmp, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
        writeTo(ch);
      }
    });
  }

  /**
   * Reads the GPT of a disk image (the primary header at LBA 1 and its entry array): the disk
   * GUID, the size, every used entry (name, type, GUID, place, attributes) and the protective
   * MBR's boot code. The partitions' bytes stay in the disk: read them at
   * {@link Partition#offset()}; their content here is {@link PartitionContent#empty()}.
   *
   * <pre>{@code
   * try (SeekableByteChannel ch = Files.newByteChannel(Path.of("kairos.raw"))) {
   *   GptDisk gpt = GptDisk.read(ch);
   *   gpt.partitions().forEach(p -> System.out.println(p.name() + " " + p.guid()));
   * }
   * }</pre>
   *
   * @throws KairosException if there is no valid GPT (signature, header CRC, entry CRC)
   */
  public static GptDisk read(SeekableByteChannel ch) throws IOException {
    ByteBuffer mbr = readAt(ch, 0, SECTOR);
    ByteBuffer h = readAt(ch, SECTOR, SECTOR);
    if (!"EFI PART".equals(new String(h.array(), 0, 8, StandardCharsets.US_ASCII))) {
      throw new KairosException("no GPT: LBA 1 does not start with 'EFI PART'");
    }
    int headerSize = h.getInt(12);
    CRC32 crc = new CRC32();
    byte[] header = h.array().clone();
    java.util.Arrays.fill(header, 16, 20, (byte) 0);
    if (headerSize < 92 || headerSize > SECTOR) {
      throw new KairosException("GPT header size " + headerSize + " is not between 92 and " + SECTOR);
    }
    crc.update(header, 0, headerSize);
    if ((int) crc.getValue() != h.getInt(16)) {
      throw new KairosException("GPT header CRC does not match");
    }
    UUID diskGuid = Guids.fromMixedEndian(h.array(), 56);
    long entriesLba = h.getLong(72);
    int count = h.getInt(80);
    int entrySize = h.getInt(84);
    if (count < 0 || count > ENTRIES || entrySize < 128 || entrySize > 4096) {
      throw new KairosException("GPT entry array of " + count + " entries of " + entrySize + " bytes is not supported");
    }
    ByteBuffer entries = readAt(ch, entriesLba * SECTOR, count * entrySize);
    crc.reset();
    crc.update(entries.array());
    if ((int) crc.getValue() != h.getInt(88)) {
      throw new KairosException("GPT entry array CRC does not match");
    }
    Builder b = builder().diskGuid(diskGuid).size(ch.size() / SECTOR * SECTOR);
    byte[] code = java.util.Arrays.copyOf(mbr.array(), 440);
    if (!java.util.Arrays.equals(code, new byte[440])) {
      b.bootCode(code);
    }
    try {
      for (int i = 0; i < count; i++) {
        int at = i * entrySize;
        UUID type = Guids.fromMixedEndian(entries.array(), at);
        if (type.getMostSignificantBits() == 0 && type.getLeastSignificantBits() == 0) {
          continue;
        }
        String name = new String(entries.array(), at + 56, 72, StandardCharsets.UTF_16LE);
        int nul = name.indexOf('\0');
        long start = entries.getLong(at + 32);
        long end = entries.getLong(at + 40);
        b.add(partition(nul < 0 ? name : name.substring(0, nul)).type(type).guid(Guids.fromMixedEndian(entries.array(), at + 16))
            .startLba(start).size((end - start + 1) * SECTOR).attributes(entries.getLong(at + 48)));
      }
      GptDisk read = b.build();
      // A hybrid MBR lists one GPT partition in its first entry, the protective one second.
      int type = mbr.get(446 + 4) & 0xFF;
      long first = mbr.getInt(446 + 8) & 0xFFFF_FFFFL;
      if (type != 0 && type != 0xEE && (mbr.get(446 + 16 + 4) & 0xFF) == 0xEE) {
        for (Partition p : read.partitions()) {
          if (p.startLba() == first) {
            return b.hybridMbr(p.name(), type).build();
          }
        }
      }
      return read;
    } catch (IllegalArgumentException e) {
      throw new KairosException("GPT entries do not fit the disk: " + e.getMessage());
    }
  }

  /** The protective MBR's boot code (up to 440 bytes), empty when it is all zeros. */
  public byte[] bootCode() {
    return bootCode == null ? new byte[0] : bootCode.clone();
  }

  private static ByteBuffer readAt(SeekableByteChannel ch, long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    ch.position(offset);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new KairosException("disk image ends before byte " + (offset + length));
      }
    }
    return b.flip();
  }

  /** Writes tables and partition contents into {@code ch}, growing it to {@link #size()}. */
  public void writeTo(SeekableByteChannel ch) throws IOException {
    for (Partition p : partitions) {
      try (WindowChannel w = new WindowChannel(ch, p.offset(), p.size(), "partition " + p.name())) {
        p.content.writeTo(w);
      }
    }
    writeTablesTo(ch);
  }

  /**
   * Writes only the protective MBR and both GPT copies, leaving every other byte of {@code ch} as
   * it is (for images whose partition data is already in place, such as a hybrid ISO).
   */
  public void writeTablesTo(SeekableByteChannel ch) throws IOException {
    byte[] entries = entryArray();
    CRC32 crc = new CRC32();
    crc.update(entries);
    int entriesCrc = (int) crc.getValue();
    long last = sectors - 1;
    long backupEntries = last - ENTRY_SECTORS;
    ChannelWrites.writeAt(ch, 0, protectiveMbr());
    ChannelWrites.writeAt(ch, SECTOR, header(1, last, 2, entriesCrc));
    ChannelWrites.writeAt(ch, 2L * SECTOR, entries);
    ChannelWrites.writeAt(ch, backupEntries * SECTOR, entries);
    ChannelWrites.writeAt(ch, last * SECTOR, header(last, 1, backupEntries, entriesCrc));
  }

  private byte[] protectiveMbr() {
    ByteBuffer b = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
    if (bootCode != null) {
      b.put(bootCode);
    }
    b.position(446);
    long protect = sectors - 1;
    if (hybridIndex >= 0) {
      // A hybrid MBR: the partition first, for firmware that reads MBR only (CHS unused: all 0xFF),
      // then the protective entry over the GPT's own sectors in front of it.
      Partition p = partitions.get(hybridIndex);
      b.put((byte) 0).put((byte) 0xFF).put((byte) 0xFF).put((byte) 0xFF);
      b.put((byte) hybridType).put((byte) 0xFF).put((byte) 0xFF).put((byte) 0xFF);
      b.putInt((int) p.startLba()).putInt((int) (p.endLba() - p.startLba() + 1));
      protect = p.startLba() - 1;
    }
    b.put((byte) 0).put((byte) 0).put((byte) 2).put((byte) 0); // status, CHS of LBA 1
    b.put((byte) 0xEE).put((byte) 0xFF).put((byte) 0xFF).put((byte) 0xFF);
    b.putInt(1).putInt((int) Math.min(protect, 0xFFFF_FFFFL));
    b.position(510);
    b.put((byte) 0x55).put((byte) 0xAA);
    return b.array();
  }

  private byte[] header(long current, long backup, long entriesLba, int entriesCrc) {
    ByteBuffer b = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
    b.put("EFI PART".getBytes(StandardCharsets.US_ASCII));
    b.putInt(0x0001_0000).putInt(92).putInt(0).putInt(0);
    b.putLong(current).putLong(backup).putLong(FIRST_USABLE).putLong(lastUsable());
    b.put(Guids.toMixedEndian(diskGuid));
    b.putLong(entriesLba).putInt(ENTRIES).putInt(ENTRY_SIZE).putInt(entriesCrc);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, 92);
    b.putInt(16, (int) crc.getValue());
    return b.array();
  }

  private long lastUsable() {
    return sectors - 2 - ENTRY_SECTORS;
  }

  private byte[] entryArray() {
    ByteBuffer b = ByteBuffer.allocate(ENTRIES * ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < partitions.size(); i++) {
      Partition p = partitions.get(i);
      b.position(i * ENTRY_SIZE);
      b.put(Guids.toMixedEndian(p.type)).put(Guids.toMixedEndian(p.guid));
      b.putLong(p.startLba).putLong(p.endLba).putLong(p.attributes);
      b.put(p.name.getBytes(StandardCharsets.UTF_16LE));
    }
    return b.array();
  }

  /** One partition: name, type, GUID, place (LBAs, end inclusive), attribute bits and content. */
  public static final class Partition {
    private final String name;
    private final UUID type;
    private final UUID guid;
    private final long startLba;
    private final long endLba;
    private final long attributes;
    private final PartitionContent content;

    private Partition(Builder b, UUID guid, long startLba, long endLba) {
      this.name = b.name;
      this.type = b.type;
      this.guid = guid;
      this.startLba = startLba;
      this.endLba = endLba;
      this.attributes = b.attributes;
      this.content = b.content;
    }

    /** The partition name (at most 36 UTF-16 units). */
    public String name() {
      return name;
    }

    /** The partition type GUID, e.g. {@link GptType#ESP}. */
    public UUID type() {
      return type;
    }

    /** The unique partition GUID. */
    public UUID guid() {
      return guid;
    }

    /** The first sector of the partition. */
    public long startLba() {
      return startLba;
    }

    /** The last sector of the partition (inclusive, as GPT stores it). */
    public long endLba() {
      return endLba;
    }

    /** The GPT attribute bits. */
    public long attributes() {
      return attributes;
    }

    /** Byte offset of the partition in the disk. */
    public long offset() {
      return startLba * SECTOR;
    }

    /** Size in bytes. */
    public long size() {
      return (endLba - startLba + 1) * SECTOR;
    }

    @Override
    public String toString() {
      return "Partition[" + name + " " + type + " " + startLba + ".." + endLba + "]";
    }

    /** Describes one partition; size 0 means "fill the rest of the disk" (last partition only). */
    public static final class Builder {
      private final String name;
      private UUID type = GptType.LINUX_DATA;
      private UUID guid;
      private long size = -1;
      private long startLba = -1;
      private long attributes;
      private PartitionContent content = PartitionContent.empty();

      private Builder(String name) {
        Objects.requireNonNull(name, "name");
        if (name.length() > 36) {
          throw new IllegalArgumentException("GPT partition names hold 36 UTF-16 units, got '" + name + "'");
        }
        this.name = name;
      }

      /** The partition type GUID; default {@link GptType#LINUX_DATA}. */
      public Builder type(UUID type) {
        this.type = Objects.requireNonNull(type, "type");
        return this;
      }

      /** The unique partition GUID; default derived from the disk GUID, index and name. */
      public Builder guid(UUID guid) {
        this.guid = Objects.requireNonNull(guid, "guid");
        return this;
      }

      /** Size in bytes, a multiple of 512; 0 fills the rest of the disk. */
      public Builder size(long bytes) {
        if (bytes < 0 || bytes % SECTOR != 0) {
          throw new IllegalArgumentException("partition " + name + ": size must be a non-negative multiple of "
              + SECTOR + ", got " + bytes);
        }
        this.size = bytes;
        return this;
      }

      /** A fixed first sector; default: the next free one, aligned to the disk's alignment. */
      public Builder startLba(long lba) {
        if (lba < FIRST_USABLE) {
          throw new IllegalArgumentException("partition " + name + ": start LBA must be >= " + FIRST_USABLE
              + ", got " + lba);
        }
        this.startLba = lba;
        return this;
      }

      /** GPT attribute bits (bit 0 required, bit 2 legacy BIOS bootable, 48-63 type-specific). */
      public Builder attributes(long attributes) {
        this.attributes = attributes;
        return this;
      }

      private Builder copy() {
        Builder c = new Builder(name);
        c.type = type;
        c.guid = guid;
        c.size = size;
        c.startLba = startLba;
        c.attributes = attributes;
        c.content = content;
        return c;
      }

      /** What the partition holds; default {@link PartitionContent#empty()} (zeros). */
      public Builder content(PartitionContent content) {
        this.content = Objects.requireNonNull(content, "content");
        return this;
      }
    }
  }

  /** Collects the partitions and places them; validates overlaps and sizes. */
  public static final class Builder {
    private final List<Partition.Builder> specs = new ArrayList<>();
    private UUID diskGuid = Guids.v5(Guids.URL_NAMESPACE, "KAIROS_DISK");
    private long size = -1;
    private long alignment = 1 << 20;
    private byte[] bootCode;
    private String hybridName;
    private int hybridType;

    private Builder() {
    }

    /**
     * Also lists the partition named {@code name} in the MBR, first, with MBR type {@code mbrType}
     * (e.g. {@code 0x0C}, FAT32 LBA), before the protective entry, which then covers only the
     * sectors in front of it: a hybrid MBR, for firmware that reads MBR partitions only (the
     * Raspberry Pi 3's boot ROM). The partition must end below 2 TiB.
     */
    public Builder hybridMbr(String name, int mbrType) {
      if (mbrType <= 0 || mbrType > 0xFF || mbrType == 0xEE) {
        throw new IllegalArgumentException("MBR partition type must be 0x01..0xFF and not 0xEE, got " + mbrType);
      }
      this.hybridName = Objects.requireNonNull(name, "name");
      this.hybridType = mbrType;
      return this;
    }

    /** Adds a partition described with {@link GptDisk#partition(String)}; its settings are read now. */
    public Builder add(Partition.Builder partition) {
      if (specs.size() == ENTRIES) {
        throw new IllegalArgumentException("a GPT holds at most " + ENTRIES + " partitions");
      }
      Objects.requireNonNull(partition, "partition");
      if (partition.size < 0) {
        throw new IllegalArgumentException("partition " + partition.name + ": size is required");
      }
      specs.add(partition.copy());
      return this;
    }

    /** The disk GUID; default UUIDv5(URL, "KAIROS_DISK") as Kairos uses. */
    public Builder diskGuid(UUID guid) {
      this.diskGuid = Objects.requireNonNull(guid, "guid");
      return this;
    }

    /** Derives the disk GUID (and so every default partition GUID) from {@code seed}. */
    public Builder seed(String seed) {
      return diskGuid(Guids.v5(Guids.URL_NAMESPACE, Objects.requireNonNull(seed, "seed")));
    }

    /** Total size in bytes (multiple of 512); default: just large enough, rounded up to the alignment. */
    public Builder size(long bytes) {
      if (bytes <= 0 || bytes % SECTOR != 0) {
        throw new IllegalArgumentException("disk size must be a positive multiple of " + SECTOR + ", got " + bytes);
      }
      this.size = bytes;
      return this;
    }

    /** Where partitions start by default; default 1 MiB. */
    public Builder alignment(long bytes) {
      if (bytes < SECTOR || bytes % SECTOR != 0) {
        throw new IllegalArgumentException("alignment must be a positive multiple of " + SECTOR + ", got " + bytes);
      }
      this.alignment = bytes;
      return this;
    }

    /** Up to 440 bytes of MBR boot code (e.g. a hybrid ISO's) kept in front of the protective entry. */
    public Builder bootCode(byte[] code) {
      if (code.length > 440) {
        throw new IllegalArgumentException("MBR boot code is at most 440 bytes, got " + code.length);
      }
      this.bootCode = code.clone();
      return this;
    }

    /**
     * Places the partitions in order and derives the GUIDs not given.
     *
     * @throws IllegalArgumentException if a partition does not fit the disk, partitions overlap or
     *     a fill-the-rest partition is not the last
     */
    public GptDisk build() {
      long align = alignment / SECTOR;
      long next = roundUp(FIRST_USABLE, align);
      long[] starts = new long[specs.size()];
      long[] ends = new long[specs.size()];
      for (int i = 0; i < specs.size(); i++) {
        Partition.Builder s = specs.get(i);
        starts[i] = s.startLba >= 0 ? s.startLba : roundUp(next, align);
        if (s.size == 0 && i != specs.size() - 1) {
          throw new IllegalArgumentException("only the last partition may fill the disk, not " + s.name);
        }
        ends[i] = s.size == 0 ? -1 : starts[i] + s.size / SECTOR - 1;
        next = ends[i] + 1;
      }
      long sectors;
      if (size > 0) {
        sectors = size / SECTOR;
      } else {
        long end = specs.isEmpty() ? FIRST_USABLE : Math.max(ends[specs.size() - 1] + 1, starts[specs.size() - 1] + 1);
        sectors = roundUp(end + 1 + ENTRY_SECTORS, align);
      }
      long lastUsable = sectors - 2 - ENTRY_SECTORS;
      List<Partition> out = new ArrayList<>();
      for (int i = 0; i < specs.size(); i++) {
        Partition.Builder s = specs.get(i);
        if (ends[i] < 0) {
          ends[i] = s.startLba >= 0 ? lastUsable : alignDown(lastUsable + 1, align) - 1;
          if (ends[i] < starts[i]) {
            ends[i] = lastUsable;
          }
        }
        if (ends[i] > lastUsable || starts[i] > ends[i]) {
          throw new IllegalArgumentException("partition " + s.name + " (LBA " + starts[i] + ".." + ends[i]
              + ") does not fit a disk of " + sectors * SECTOR + " bytes (last usable LBA " + lastUsable + ")");
        }
        for (int j = 0; j < i; j++) {
          if (starts[i] <= ends[j] && starts[j] <= ends[i]) {
            throw new IllegalArgumentException("partitions " + specs.get(j).name + " and " + s.name + " overlap");
          }
        }
        UUID guid = s.guid != null ? s.guid : Guids.v5(diskGuid, (i + 1) + ":" + s.name);
        out.add(new Partition(s, guid, starts[i], ends[i]));
      }
      int hybrid = -1;
      if (hybridName != null) {
        for (int i = 0; i < out.size(); i++) {
          if (out.get(i).name().equals(hybridName)) {
            hybrid = i;
          }
        }
        if (hybrid < 0 || out.get(hybrid).endLba() > 0xFFFF_FFFFL) {
          throw new IllegalArgumentException("hybrid MBR: no partition " + hybridName + " below 2 TiB");
        }
      }
      return new GptDisk(sectors, diskGuid, out, bootCode, hybrid, hybridType);
    }

    private static long roundUp(long v, long a) {
      return (v + a - 1) / a * a;
    }

    private static long alignDown(long v, long a) {
      return v / a * a;
    }
  }
}
