package dev.kairos.factory.oci.internal.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.UnsafePathException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A layer 10,000 directories deep (as tar writes such a tree: one member per level) fails in one
 * short line at the first member deeper than the limit, quickly.
 */
class DeepLayerTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"disk", "memory"})
  void tenThousandLevelsGiveAOneLineError(String fs) throws Exception {
    RootFs root = fs.equals("disk") ? RootFs.at(Files.createDirectory(tmp.resolve("root"))) : InMemoryRootFs.create();
    TestLayer layer = new TestLayer();
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      name.append("a/");
      layer.dir(name.toString());
    }
    layer.file(name + "deep", "x");
    byte[] bytes = layer.bytes();
    assertThatThrownBy(() -> new LayerUnpacker(root).apply(new ByteArrayInputStream(bytes), "sha256:deep"))
        .isInstanceOf(UnsafePathException.class)
        .satisfies(e -> {
          assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(400)
              .contains("257 levels deep").contains("at most 4,096 characters and 256 levels");
          // the data still carries the whole name, the message only its start
          assertThat(((UnsafePathException) e).path()).hasSize(2 * (LayerUnpacker.MAX_DEPTH + 1));
        });
    // the levels within the limit were unpacked, inside the root
    assertThat(root.isDirectory(ImagePath.of("/" + "a/".repeat(LayerUnpacker.MAX_DEPTH)))).isTrue();
  }
}
