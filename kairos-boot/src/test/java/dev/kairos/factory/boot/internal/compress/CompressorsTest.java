package dev.kairos.factory.boot.internal.compress;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdInputStream;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompressorsTest {
  /** Half random, half repetitive, and larger than one zstd job, so that several workers really share it. */
  private static byte[] sample() {
    byte[] data = new byte[24 << 20];
    Random random = new Random(42);
    for (int i = 0; i < data.length; i += 4096) {
      if ((i / 4096) % 2 == 0) {
        byte[] chunk = new byte[4096];
        random.nextBytes(chunk);
        System.arraycopy(chunk, 0, data, i, 4096);
      } else {
        for (int j = i; j < i + 4096; j++) {
          data[j] = (byte) ('a' + j % 7);
        }
      }
    }
    return data;
  }

  private static byte[] zstd(byte[] data, int threads) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream z = Compressors.wrap(bytes, InitrdCompression.ZSTD, 3, threads)) {
      for (int off = 0; off < data.length; off += 100_000) {
        z.write(data, off, Math.min(100_000, data.length - off));
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void zstdGivesTheSameBytesForAnyNumberOfThreads() throws IOException {
    byte[] data = sample();
    byte[] one = zstd(data, 1);
    assertThat(zstd(data, 2)).isEqualTo(one);
    assertThat(zstd(data, 5)).isEqualTo(one);
    try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(one))) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }
}
