package dev.kairos.factory.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.testing.InMemoryRootFs;
import org.junit.jupiter.api.Test;

/** The builder's own run settings (the options are {@link BuildOptionsTest}'s). */
class ImageBuilderTest {
  @Test
  void parallelDownloadsAreOffOrOneToSixteenConnections() throws Exception {
    ImageBuilder b = Kairos.fromRoot(InMemoryRootFs.create());
    for (int n : new int[] {0, 1, 16}) {
      assertThat(b.parallelDownloads(n)).isSameAs(b);
    }
    for (int n : new int[] {-1, 17, Integer.MIN_VALUE}) {
      assertThatThrownBy(() -> b.parallelDownloads(n)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("got " + n);
    }
  }
}
