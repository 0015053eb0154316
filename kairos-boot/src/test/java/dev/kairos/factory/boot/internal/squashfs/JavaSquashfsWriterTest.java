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
import java.nio.file.Files;
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
}
