package dev.kairos.factory.boot.internal.squashfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.boot.api.squashfs.SquashfsCompression;
import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DataBlockWriterTest {
  private static final SquashfsOptions OPTIONS = SquashfsOptions.builder()
      .compression(SquashfsCompression.GZIP).blockSize(4096).build();

  /** Blocks of every kind: compressible, random (stored raw), short. */
  private static byte[][] blocks() {
    Random random = new Random(7);
    byte[][] blocks = new byte[40][];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = new byte[i % 5 == 4 ? 100 + i : 4096];
      if (i % 3 == 0) {
        random.nextBytes(blocks[i]);
      } else {
        for (int j = 0; j < blocks[i].length; j++) {
          blocks[i][j] = (byte) (j % (i + 2));
        }
      }
    }
    return blocks;
  }

  private record Written(byte[] bytes, long[] starts, int[] words) {}

  private static Written write(int threads) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[][] blocks = blocks();
    try (DataBlockWriter w = new DataBlockWriter(OPTIONS, (b, len) -> {
      long start = out.size();
      out.write(b, 0, len);
      return start;
    }, threads, 0)) {
      byte[] reused = new byte[4096];
      for (byte[] b : blocks) {
        // The writer must copy: the caller refills its buffer at once.
        System.arraycopy(b, 0, reused, 0, b.length);
        w.submit(reused, b.length);
        java.util.Arrays.fill(reused, (byte) 0x55);
      }
      w.finish();
      long[] starts = new long[blocks.length + 1];
      int[] words = new int[blocks.length];
      for (int i = 0; i < blocks.length; i++) {
        starts[i] = w.start(i);
        words[i] = w.sizeWord(i);
      }
      starts[blocks.length] = w.start(blocks.length);
      return new Written(out.toByteArray(), starts, words);
    }
  }

  @Test
  void writesInSubmissionOrderWhateverTheThreadCount() throws IOException {
    Written one = write(1);
    Written four = write(4);
    assertThat(four.bytes()).isEqualTo(one.bytes());
    assertThat(four.starts()).isEqualTo(one.starts());
    assertThat(four.words()).isEqualTo(one.words());
  }

  @Test
  void recordsWhereEachBlockWentAndWhetherItIsCompressed() throws IOException {
    Written w = write(3);
    byte[][] blocks = blocks();
    for (int i = 0; i < blocks.length; i++) {
      int stored = w.words()[i] & ~DataBlockWriter.UNCOMPRESSED;
      assertThat(w.starts()[i + 1] - w.starts()[i]).as("block %d", i).isEqualTo(stored);
      boolean raw = (w.words()[i] & DataBlockWriter.UNCOMPRESSED) != 0;
      assertThat(raw).as("block %d stored raw", i).isEqualTo(i % 3 == 0);
      if (raw) {
        assertThat(java.util.Arrays.copyOfRange(w.bytes(), (int) w.starts()[i], (int) w.starts()[i + 1]))
            .isEqualTo(blocks[i]);
      }
    }
    assertThat(w.starts()[blocks.length]).isEqualTo(w.bytes().length);
  }

  @Test
  void aFailingSinkFailsTheWrite() {
    assertThatThrownBy(() -> {
      try (DataBlockWriter w = new DataBlockWriter(OPTIONS, (b, len) -> {
        throw new IOException("disk full");
      }, 2, 0)) {
        for (byte[] b : blocks()) {
          w.submit(b, b.length);
        }
        w.finish();
      }
    }).isInstanceOf(IOException.class).hasMessage("disk full");
  }

  @Test
  void positionsAreOnlyKnownAfterFinish() throws IOException {
    try (DataBlockWriter w = new DataBlockWriter(OPTIONS, (b, len) -> 0, 1, 0)) {
      w.submit(new byte[10], 10);
      assertThatThrownBy(() -> w.start(0)).isInstanceOf(IllegalStateException.class);
    }
  }
}
