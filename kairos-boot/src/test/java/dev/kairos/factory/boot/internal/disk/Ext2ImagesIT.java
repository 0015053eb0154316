package dev.kairos.factory.boot.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.SourceDate;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Two mke2fs images of one directory, made more than a second apart, are the same bytes. */
class Ext2ImagesIT {
  @TempDir
  Path work;

  @ParameterizedTest
  @ValueSource(longs = {0L, 1_735_689_600L})
  void twoImagesMadeSecondsApartAreIdenticalAndCarryTheSourceDate(long epoch) throws Exception {
    assumeTrue(HostCommand.available("mke2fs"), "mke2fs missing");
    Path dir = Files.createDirectories(work.resolve("tree/etc"));
    Files.writeString(dir.resolve("hostname"), "kairos\n");
    // 64 MiB with 1 KiB blocks: eight groups, so backup superblocks in groups 1, 3, 5 and 7.
    SourceDate date = SourceDate.of(Instant.ofEpochSecond(epoch));
    UUID uuid = UUID.nameUUIDFromBytes("ext2-test".getBytes());
    Ext2Images ext2 = new Ext2Images(Duration.ofMinutes(2));
    Path a = ext2.make(work.resolve("tree"), work.resolve("a.img"), "TEST", 64, uuid, date);
    Thread.sleep(1100);
    Path b = ext2.make(work.resolve("tree"), work.resolve("b.img"), "TEST", 64, uuid, date);

    assertThat(Files.mismatch(a, b)).as("first differing byte").isEqualTo(-1);
    try (FileChannel ch = FileChannel.open(a)) {
      ByteBuffer sb = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(sb, 1024);
      assertThat(Integer.toUnsignedLong(sb.getInt(48))).as("s_wtime").isEqualTo(epoch);
      assertThat(Integer.toUnsignedLong(sb.getInt(64))).as("s_lastcheck").isEqualTo(epoch);
      assertThat(Integer.toUnsignedLong(sb.getInt(264))).as("s_mkfs_time").isEqualTo(epoch);
    }
    // e2fsck exits non-zero on any inconsistency (run() turns that into an exception).
    HostCommand.run(java.util.List.of("e2fsck", "-fn", a.toString()), Duration.ofMinutes(1));
  }
}
