package dev.kairos.factory.oci.internal.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ParallelGzipOutputStreamTest {
  private static final ExecutorService POOL = Executors.newFixedThreadPool(4);
  private static final int B = ParallelGzipOutputStream.BLOCK;

  @AfterAll
  static void stop() {
    POOL.shutdownNow();
  }

  /** Text-like data that compresses, with random runs that do not, and matches across block ends. */
  private static byte[] data(int size, long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[size];
    byte[] phrase = "the quick brown fox jumps over the lazy dog; ".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < size; ) {
      if (r.nextInt(4) == 0) {
        int n = Math.min(size - i, 1 + r.nextInt(5000));
        for (int j = 0; j < n; j++) {
          b[i + j] = (byte) r.nextInt();
        }
        i += n;
      } else {
        int n = Math.min(size - i, 1 + r.nextInt(3000));
        for (int j = 0; j < n; j++) {
          b[i + j] = phrase[(i + j) % phrase.length];
        }
        i += n;
      }
    }
    return b;
  }

  /** Compresses {@code in} with the given thread bound, writing it in chunks of {@code chunk} bytes. */
  private static byte[] gzip(byte[] in, int threads, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, POOL, threads, 6)) {
      for (int off = 0; off < in.length; off += chunk) {
        gz.write(in, off, Math.min(chunk, in.length - off));
      }
    }
    return out.toByteArray();
  }

  private static byte[] gunzip(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  @Test
  void sameBytesWhateverTheThreadsAndWriteSizes() throws IOException {
    byte[] in = data(5 * B + 12345, 1);
    byte[] one = gzip(in, 1, 1 << 16);
    assertThat(gzip(in, 4, 1 << 16)).isEqualTo(one);
    assertThat(gzip(in, 3, 7777)).isEqualTo(one);
    assertThat(gzip(in, 2, in.length)).isEqualTo(one);
    assertThat(gunzip(one)).isEqualTo(in);
    // The window carried across blocks: far smaller than the input, and no worse than 2% over
    // what one deflater over the whole stream makes.
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(plain)) {
      g.write(in);
    }
    assertThat((double) one.length).isLessThan(plain.size() * 1.02);
  }

  @Test
  void oneMemberWithAFixedHeaderAndTheRightTrailer() throws IOException {
    byte[] in = data(2 * B + 1, 2);
    byte[] gz = gzip(in, 2, 4096);
    // magic, deflate, no flags, no mtime, no extra flags, OS unknown
    assertThat(Arrays.copyOf(gz, 10)).containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
    CRC32 crc = new CRC32();
    crc.update(in);
    ByteBuffer t = ByteBuffer.wrap(gz, gz.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(t.getInt() & 0xffffffffL).isEqualTo(crc.getValue());
    assertThat(t.getInt()).isEqualTo(in.length);
    // A single member: the raw deflate stream ends exactly before the trailer.
    Inflater inf = new Inflater(true);
    inf.setInput(gz, 10, gz.length - 18);
    byte[] buf = new byte[in.length + 1];
    int n;
    try {
      n = inf.inflate(buf);
    } catch (DataFormatException e) {
      throw new AssertionError(e);
    }
    assertThat(inf.finished()).isTrue();
    assertThat(inf.getRemaining()).isZero();
    assertThat(n).isEqualTo(in.length);
  }

  @Test
  void edgeSizes() throws IOException {
    for (int size : new int[] {0, 1, B - 1, B, B + 1, 3 * B}) {
      byte[] in = data(size, size);
      byte[] gz = gzip(in, 3, 1000);
      assertThat(gunzip(gz)).as("size %d", size).isEqualTo(in);
      assertThat(gzip(in, 1, 65536)).as("size %d", size).isEqualTo(gz);
    }
  }

  @Test
  void theGzipCommandAcceptsIt() throws Exception {
    assumeTrue(new File("/bin/gzip").canExecute(), "gzip is missing");
    byte[] in = data(3 * B + 99, 3);
    Path f = Files.createTempFile("pgz", ".gz");
    try {
      Files.write(f, gzip(in, 2, 1 << 16));
      Process p = new ProcessBuilder("gzip", "-t", f.toString()).redirectErrorStream(true).start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    } finally {
      Files.deleteIfExists(f);
    }
  }

  @Test
  void badArgumentsAndWritesAfterClose() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(() -> new ParallelGzipOutputStream(out, POOL, 0, 6)).hasMessageContaining("threads=0");
    assertThatThrownBy(() -> new ParallelGzipOutputStream(out, POOL, 1, 10)).hasMessageContaining("level=10");
    ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, POOL, 1, 6);
    gz.close();
    assertThatThrownBy(() -> gz.write(1)).isInstanceOf(IOException.class);
  }
}
