package dev.kairos.factory.core.api.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MountTableTest {
  @Test
  void unescapesTheKernelsOctalEscapes() {
    assertThat(MountTable.unescape("/mnt/a\\040b\\011c\\134d")).isEqualTo("/mnt/a b\tc\\d");
    assertThat(MountTable.unescape("/plain")).isEqualTo("/plain");
    assertThat(MountTable.unescape("/odd\\09")).isEqualTo("/odd\\09");
  }
}
