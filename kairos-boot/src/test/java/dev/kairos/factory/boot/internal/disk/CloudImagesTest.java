package dev.kairos.factory.boot.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The VHD footer and the tar header, field by field, against the VHD specification and GNU tar's layout. */
class CloudImagesTest {
  private static final UUID ID = UUID.fromString("0f1e2d3c-4b5a-5978-8695-a4b3c2d1e0f0");

  @Test
  void vhdFooterHasTheFixedDiskFieldsAndAValidChecksum() {
    long size = 715_128_832L;
    byte[] f = CloudImages.vhdFooter(size, Instant.parse("2025-01-01T00:00:00Z"), ID);
    ByteBuffer b = ByteBuffer.wrap(f);
    assertThat(f).hasSize(512);
    assertThat(new String(f, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("conectix");
    assertThat(b.getInt(8)).isEqualTo(2);
    assertThat(b.getInt(12)).isEqualTo(0x0001_0000);
    assertThat(b.getLong(16)).as("a fixed disk has no data offset").isEqualTo(-1L);
    assertThat(Integer.toUnsignedLong(b.getInt(24))).as("seconds since 2000-01-01")
        .isEqualTo(Instant.parse("2025-01-01T00:00:00Z").getEpochSecond() - 946_684_800L);
    assertThat(b.getLong(40)).isEqualTo(size);
    assertThat(b.getLong(48)).isEqualTo(size);
    assertThat(b.getInt(60)).as("disk type fixed").isEqualTo(2);
    assertThat(new UUID(b.getLong(68), b.getLong(76))).isEqualTo(ID);
    int sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += (i >= 64 && i < 68) ? 0 : f[i] & 0xFF;
    }
    assertThat(b.getInt(64)).isEqualTo(~sum);
    // Before the VHD epoch (the default source date is 1970) the timestamp is 0, not a wrapped value.
    assertThat(ByteBuffer.wrap(CloudImages.vhdFooter(size, Instant.EPOCH, ID)).getInt(24)).isZero();
  }

  @Test
  void chsGeometryFollowsTheSpecificationsAlgorithm() {
    // 682 MiB (1396736 sectors): too many cylinders with 17 and with 31 sectors per track, so 63 and 16 heads.
    int chs = CloudImages.chs(715_128_832L);
    assertThat(chs & 0xFF).isEqualTo(63);
    assertThat((chs >>> 8) & 0xFF).isEqualTo(16);
    assertThat(chs >>> 16).isEqualTo(1396736 / 63 / 16);
    // Beyond what CHS can say (127 GiB), the maximum geometry.
    assertThat(CloudImages.chs(1L << 40)).isEqualTo((65535 << 16) | (16 << 8) | 255);
    // A small disk keeps 17 sectors per track and at least 4 heads.
    assertThat(CloudImages.chs(10L << 20)).isEqualTo(((20480 / 17 / 4) << 16) | (4 << 8) | 17);
  }

  @Test
  void tarHeaderIsGnuWithAValidChecksumAndBase256SizesFrom8GiB() {
    byte[] h = CloudImages.tarHeader("disk.raw", 1L << 30, Instant.parse("2025-01-01T00:00:00Z"));
    assertThat(new String(h, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("disk.raw");
    assertThat(new String(h, 124, 11, StandardCharsets.US_ASCII)).isEqualTo(Long.toOctalString(1L << 30));
    assertThat(new String(h, 257, 8, StandardCharsets.US_ASCII)).isEqualTo("ustar  \0");
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : h[i] & 0xFF;
    }
    assertThat(new String(h, 148, 6, StandardCharsets.US_ASCII)).isEqualTo(String.format("%06o", sum));

    byte[] big = CloudImages.tarHeader("disk.raw", 10L << 30, Instant.EPOCH);
    assertThat(big[124] & 0xFF).isEqualTo(0x80);
    assertThat(ByteBuffer.wrap(big, 128, 8).getLong()).isEqualTo(10L << 30);
  }
}
