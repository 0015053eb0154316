package dev.kairos.factory.core.api.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@link RootFsContract} in memory: every Unix field comes from the metadata overlay. */
class RootFsJimfsTest extends RootFsContract {
  @Override
  protected Path newBase() throws IOException {
    Path inMemoryRoot = InMemoryRootFs.create().root();
    return Files.createDirectory(inMemoryRoot.resolveSibling("base"));
  }

  @Test
  void keepsOwnershipInTheOverlay() {
    assertThat(root.hasNativeOwnership()).isFalse();
  }
}
