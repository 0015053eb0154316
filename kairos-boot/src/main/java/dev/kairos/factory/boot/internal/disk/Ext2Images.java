package dev.kairos.factory.boot.internal.disk;

import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * ext2 file system images made from a directory by the host's {@code mke2fs -d} (e2fsprogs), on a
 * plain image file: no loop device, no mount. The UUID and the hash seed are fixed by the caller.
 *
 * <p>Reproducible: mke2fs takes its own clock from {@code E2FSPROGS_FAKE_TIME}, but copies each
 * source file's change and access times, which no one can set; so after mke2fs every inode in use
 * gets the source date as change, access and creation time, and modification times later than
 * the source date are clamped to it (as the squashfs writer does). mke2fs also writes the clock
 * into every superblock copy ({@code s_wtime}, {@code s_lastcheck}, {@code s_mkfs_time}) when
 * {@code E2FSPROGS_FAKE_TIME} is 0 (which it reads as "unset"), so those are pinned too.
 */
public final class Ext2Images {
  private static final int SUPERBLOCK = 1024;
  private static final int EXT2_MAGIC = 0xEF53;
  private static final int INCOMPAT_64BIT = 0x80;

  private final Duration timeout;

  public Ext2Images(Duration timeout) {
    this.timeout = timeout;
  }

  /** Writes an ext2 image of {@code sizeMiB} with the content of {@code dir} (owners and modes as on disk). */
  public Path make(Path dir, Path image, String label, long sizeMiB, UUID uuid, SourceDate date) throws IOException {
    Files.deleteIfExists(image);
    long epoch = Math.max(0, date.instant().getEpochSecond());
    HostCommand.run(List.of("env", "E2FSPROGS_FAKE_TIME=" + epoch, "mke2fs", "-q", "-F", "-t", "ext2", "-L", label,
        "-U", uuid.toString(), "-E", "hash_seed=" + uuid + ",root_owner=0:0", "-d", dir.toString(), image.toString(),
        sizeMiB + "M"), timeout);
    pinTimes(image, epoch);
    return image;
  }

  /** Sets the times of every inode in use as the class comment says. */
  static void pinTimes(Path image, long epoch) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer sb = read(ch, SUPERBLOCK, 1024);
      if ((sb.getShort(56) & 0xffff) != EXT2_MAGIC || (sb.getInt(96) & INCOMPAT_64BIT) != 0) {
        throw new KairosException("not a 32-bit ext2 image: " + image);
      }
      pinSuperblocks(ch, sb, epoch);
      long inodes = Integer.toUnsignedLong(sb.getInt(0));
      long firstDataBlock = Integer.toUnsignedLong(sb.getInt(20));
      int blockSize = 1024 << sb.getInt(24);
      int inodesPerGroup = sb.getInt(40);
      int inodeSize = sb.getInt(76) == 0 ? 128 : sb.getShort(88) & 0xffff;
      int groups = (int) ((inodes + inodesPerGroup - 1) / inodesPerGroup);
      ByteBuffer descriptors = read(ch, (firstDataBlock + 1) * blockSize, groups * 32);
      for (int g = 0; g < groups; g++) {
        long bitmapBlock = Integer.toUnsignedLong(descriptors.getInt(g * 32 + 4));
        long tableBlock = Integer.toUnsignedLong(descriptors.getInt(g * 32 + 8));
        ByteBuffer bitmap = read(ch, bitmapBlock * blockSize, (inodesPerGroup + 7) / 8);
        int last = lastUsed(bitmap, inodesPerGroup);
        if (last < 0) {
          continue;
        }
        // One read and write of the group's inode table up to its last inode in use.
        ByteBuffer table = read(ch, tableBlock * blockSize, (last + 1) * inodeSize);
        for (int i = 0; i <= last; i++) {
          if ((bitmap.get(i >> 3) & (1 << (i & 7))) != 0) {
            pin(table, i * inodeSize, inodeSize, epoch);
          }
        }
        ch.write(table.rewind(), tableBlock * blockSize);
      }
    }
  }

  /**
   * Sets the times of the primary superblock and of each backup copy (found at the start of its
   * group, recognised by the magic and its own group number) to the source date.
   */
  private static void pinSuperblocks(FileChannel ch, ByteBuffer primary, long epoch) throws IOException {
    long blocks = Integer.toUnsignedLong(primary.getInt(4));
    long firstDataBlock = Integer.toUnsignedLong(primary.getInt(20));
    int blockSize = 1024 << primary.getInt(24);
    long blocksPerGroup = Integer.toUnsignedLong(primary.getInt(32));
    long groups = (blocks - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
    for (long g = 0; g < groups; g++) {
      long offset = g == 0 ? SUPERBLOCK : (firstDataBlock + g * blocksPerGroup) * blockSize;
      ByteBuffer sb = read(ch, offset, 1024);
      if ((sb.getShort(56) & 0xffff) != EXT2_MAGIC || (sb.getShort(90) & 0xffff) != g) {
        continue; // no copy in this group (sparse_super)
      }
      int seconds = (int) epoch;
      if (sb.getInt(44) != 0) {
        sb.putInt(44, seconds); // s_mtime, set only if it was ever mounted
      }
      sb.putInt(48, seconds); // s_wtime
      sb.putInt(64, seconds); // s_lastcheck
      sb.putInt(264, seconds); // s_mkfs_time
      ch.write(sb.rewind(), offset);
    }
  }

  /**
   * The primary superblock's fields of the ext2 file system at {@code offset} of {@code ch}, by
   * name, for a diff: sizes and counts, times, state, features, UUID, label, hash seed; empty when
   * there is no ext2 magic there.
   */
  public static Map<String, String> superblock(SeekableByteChannel ch, long offset) throws IOException {
    ByteBuffer sb = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
    ch.position(offset + SUPERBLOCK);
    while (sb.hasRemaining() && ch.read(sb) >= 0) {
      // until full or the end
    }
    Map<String, String> f = new LinkedHashMap<>();
    if (sb.hasRemaining() || (sb.getShort(56) & 0xffff) != EXT2_MAGIC) {
      return f;
    }
    String[][] u32 = {{"inodes", "0"}, {"blocks", "4"}, {"reserved-blocks", "8"}, {"free-blocks", "12"},
        {"free-inodes", "16"}, {"first-data-block", "20"}, {"log-block-size", "24"}, {"blocks-per-group", "32"},
        {"inodes-per-group", "40"}, {"mtime", "44"}, {"wtime", "48"}, {"lastcheck", "64"}, {"checkinterval", "68"},
        {"creator-os", "72"}, {"revision", "76"}, {"first-inode", "84"}, {"feature-compat", "92"},
        {"feature-incompat", "96"}, {"feature-ro-compat", "100"}, {"default-mount-options", "256"},
        {"mkfs-time", "264"}};
    for (String[] e : u32) {
      f.put(e[0], Integer.toUnsignedString(sb.getInt(Integer.parseInt(e[1]))));
    }
    f.put("mount-count", Integer.toString(sb.getShort(52) & 0xffff));
    f.put("max-mount-count", Integer.toString(sb.getShort(54)));
    f.put("state", Integer.toString(sb.getShort(58) & 0xffff));
    f.put("inode-size", Integer.toString(sb.getShort(88) & 0xffff));
    f.put("uuid", uuid(sb, 104).toString());
    f.put("label", text(sb, 120, 16));
    f.put("last-mounted", text(sb, 136, 64));
    f.put("hash-seed", uuid(sb, 236).toString());
    f.put("hash-version", Integer.toString(sb.get(252) & 0xff));
    f.put("kbytes-written", Long.toUnsignedString(sb.getLong(376)));
    return f;
  }

  private static UUID uuid(ByteBuffer b, int at) {
    ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
    return new UUID(be.getLong(at), be.getLong(at + 8));
  }

  private static String text(ByteBuffer b, int at, int len) {
    byte[] s = new byte[len];
    b.get(at, s);
    int end = 0;
    while (end < len && s[end] != 0) {
      end++;
    }
    return new String(s, 0, end, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static int lastUsed(ByteBuffer bitmap, int count) {
    for (int i = count - 1; i >= 0; i--) {
      if ((bitmap.get(i >> 3) & (1 << (i & 7))) != 0) {
        return i;
      }
    }
    return -1;
  }

  /** Offsets of {@code struct ext2_inode} and its large-inode tail (times in seconds, extras in nanoseconds << 2). */
  private static void pin(ByteBuffer t, int at, int inodeSize, long epoch) {
    int seconds = (int) epoch;
    t.putInt(at + 8, seconds); // atime
    t.putInt(at + 12, seconds); // ctime
    boolean clamp = Integer.toUnsignedLong(t.getInt(at + 16)) > epoch;
    if (clamp) {
      t.putInt(at + 16, seconds); // mtime
    }
    int extra = inodeSize > 128 ? t.getShort(at + 128) & 0xffff : 0;
    if (extra >= 8) {
      t.putInt(at + 132, 0); // ctime_extra
    }
    if (extra >= 12 && clamp) {
      t.putInt(at + 136, 0); // mtime_extra
    }
    if (extra >= 16) {
      t.putInt(at + 140, 0); // atime_extra
    }
    if (extra >= 24) {
      t.putInt(at + 144, seconds).putInt(at + 148, 0); // crtime, crtime_extra
    }
  }

  private static ByteBuffer read(FileChannel ch, long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, offset + b.position()) < 0) {
        throw new KairosException("ext2 image ends before byte " + (offset + length));
      }
    }
    return b.flip();
  }
}
