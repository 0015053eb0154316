package dev.kairos.factory.boot.internal.squashfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.api.squashfs.SquashfsCompression;
import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import dev.kairos.factory.boot.api.squashfs.SquashfsWriter;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import dev.kairos.factory.boot.internal.io.WindowChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JavaSquashfsWriterTest {
  private static final int BLOCK = 4096;
  private static final SourceDate DATE = SourceDate.of(Instant.parse("2025-06-01T00:00:00Z"));

  private static byte[] write(RootFs root, SquashfsCompression c) throws Exception {
    SquashfsOptions o = SquashfsOptions.builder().compression(c).blockSize(BLOCK).sourceDate(DATE).build();
    Path out = root.root().getFileSystem().getPath("/out-" + System.nanoTime() + ".sqfs");
    SquashfsWriter.inJava(o).write(root, out);
    return Files.readAllBytes(out);
  }

  @ParameterizedTest
  @EnumSource(SquashfsCompression.class)
  void superblockDescribesTheImage(SquashfsCompression c) throws Exception {
    RootFs root = InMemoryRootFs.create();
    SampleTree.fill(root, BLOCK);
    byte[] img = write(root, c);
    ByteBuffer sb = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(sb.getInt(0)).isEqualTo(0x73717368);
    // 25 directories and files named once, 1 hardlinked pair, 300 in /many: every inode counted once
    long[] names = {0};
    root.walk(ImagePath.ROOT, e -> { if (e.hardlinkOf().isEmpty()) names[0]++; });
    assertThat(sb.getInt(4)).isEqualTo((int) names[0]);
    assertThat(sb.getInt(8)).isEqualTo((int) DATE.instant().getEpochSecond());
    assertThat(sb.getInt(12)).isEqualTo(BLOCK);
    assertThat(sb.getShort(20)).isEqualTo((short) c.id());
    assertThat(sb.getShort(22)).isEqualTo((short) 12);
    assertThat(sb.getShort(26)).as("uids 0 and 1000, gids 100 and 6").isEqualTo((short) 4);
    assertThat(sb.getShort(28)).isEqualTo((short) 4);
    long bytesUsed = sb.getLong(40);
    assertThat(img.length % 4096).isZero();
    assertThat(bytesUsed).isLessThanOrEqualTo(img.length).isGreaterThan(img.length - 4096);
    // tables in the documented order: inodes, directories, fragments, ids
    assertThat(sb.getLong(64)).isLessThan(sb.getLong(72));
    assertThat(sb.getLong(72)).isLessThan(sb.getLong(80));
    assertThat(sb.getLong(80)).isLessThan(sb.getLong(48));
  }

  @Test
  void sameTreeGivesSameBytesAndLaterTimesAreClamped() throws Exception {
    RootFs a = InMemoryRootFs.create();
    SampleTree.fill(a, BLOCK);
    RootFs b = InMemoryRootFs.create();
    SampleTree.fill(b, BLOCK);
    b.setMtime(ImagePath.of("/usr/bin/sudo"), Instant.parse("2031-05-05T00:00:00Z"));
    assertThat(write(a, SquashfsCompression.ZSTD)).isEqualTo(write(b, SquashfsCompression.ZSTD));

    b.setMtime(ImagePath.of("/etc/hostname"), Instant.parse("2021-05-05T00:00:00Z"));
    assertThat(write(a, SquashfsCompression.ZSTD)).isNotEqualTo(write(b, SquashfsCompression.ZSTD));
  }

  @Test
  void xattrSetsAreStoredOnceAtTheEndOfTheImage() throws Exception {
    RootFs plain = InMemoryRootFs.create();
    SampleTree.fill(plain, BLOCK);
    ByteBuffer plainSb = ByteBuffer.wrap(write(plain, SquashfsCompression.GZIP)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(plainSb.getShort(24) & 0x200).as("no xattrs flag").isEqualTo(0x200);
    assertThat(plainSb.getLong(56)).isEqualTo(-1L);

    RootFs root = InMemoryRootFs.create();
    SampleTree.fill(root, BLOCK);
    byte[] cap = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    root.setXattr(ImagePath.of("/usr/bin/sudo"), "security.capability", cap);
    root.setXattr(ImagePath.of("/etc/hostname"), "security.capability", cap);
    root.setXattr(ImagePath.of("/etc"), "user.a", new byte[] {1, 2});
    root.setXattr(ImagePath.of("/etc"), "system.posix_acl_access", new byte[] {9});
    byte[] img = write(root, SquashfsCompression.GZIP);
    ByteBuffer sb = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(sb.getShort(24) & 0x200).isZero();
    long header = sb.getLong(56);
    long bytesUsed = sb.getLong(40);
    assertThat(header).isGreaterThan(sb.getLong(48));
    long kvStart = sb.getLong((int) header);
    assertThat(sb.getInt((int) header + 8)).as("two distinct sets; system.* left out").isEqualTo(2);
    long idBlock = sb.getLong((int) header + 16);
    assertThat(header + 24).as("the index ends the image").isEqualTo(bytesUsed);
    assertThat(kvStart).isGreaterThan(sb.getLong(48)).isLessThan(idBlock);
    ByteBuffer ids = metadataBlock(img, (int) idBlock);
    assertThat(ids.remaining()).isEqualTo(32);
    // the first set met in inode order (children first) is /etc/hostname's capability
    assertThat(ids.getLong(0)).isZero();
    assertThat(ids.getInt(8)).isEqualTo(1);
    assertThat(ids.getInt(12)).isEqualTo(2 + 2 + "capability".length() + 4 + cap.length);
    assertThat(ids.getLong(16)).as("the second set follows the first in the same block").isEqualTo(ids.getInt(12));
    assertThat(ids.getInt(16 + 12)).isEqualTo(2 + 2 + 1 + 4 + 2);
    ByteBuffer kv = metadataBlock(img, (int) kvStart);
    assertThat(kv.remaining()).isEqualTo(ids.getInt(12) + ids.getInt(16 + 12));
    byte[] name = new byte[10];
    kv.position(4).get(name);
    assertThat(kv.getShort(0)).as("security prefix").isEqualTo((short) 2);
    assertThat(new String(name, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("capability");
    assertThat(kv.getInt(14)).isEqualTo(cap.length);
    assertThat(write(root, SquashfsCompression.GZIP)).isEqualTo(img);
  }

  @Test
  void writtenIntoAWindowOfAnotherFileItIsTheSameBytes() throws Exception {
    RootFs root = InMemoryRootFs.create();
    SampleTree.fill(root, BLOCK);
    byte[] alone = write(root, SquashfsCompression.ZSTD);
    SquashfsOptions o = SquashfsOptions.builder().compression(SquashfsCompression.ZSTD).blockSize(BLOCK).sourceDate(DATE).build();
    Path host = root.root().getFileSystem().getPath("/host.img");
    long offset = 5 * 2048;
    long written;
    try (SeekableByteChannel ch = Files.newByteChannel(host, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        WindowChannel w = new WindowChannel(ch, offset, 1L << 32, "squashfs")) {
      new JavaSquashfsWriter(o).write(root, w);
      written = w.written();
    }
    byte[] all = Files.readAllBytes(host);
    assertThat(written).isEqualTo(alone.length);
    assertThat(all.length).isEqualTo(offset + alone.length);
    assertThat(Arrays.copyOfRange(all, (int) offset, all.length)).isEqualTo(alone);
  }

  /** The uncompressed payload of the metadata block at {@code offset} (gzip images). */
  private static ByteBuffer metadataBlock(byte[] img, int offset) throws Exception {
    int header = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).getShort(offset) & 0xffff;
    int len = header & 0x7fff;
    byte[] out;
    if ((header & 0x8000) != 0) {
      out = java.util.Arrays.copyOfRange(img, offset + 2, offset + 2 + len);
    } else {
      java.util.zip.Inflater inf = new java.util.zip.Inflater();
      inf.setInput(img, offset + 2, len);
      byte[] buf = new byte[8192];
      int n = inf.inflate(buf);
      inf.end();
      out = java.util.Arrays.copyOf(buf, n);
    }
    return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
  }
}
