package dev.kairos.factory.oci.internal.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.UnsafePathException;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of hostile layers, applied to a root that sits next to a sentinel directory, on disk and
 * in memory. Whatever a layer tries, the sentinel is untouched and nothing appears beside it.
 */
class HostileLayerTest {
  @TempDir Path tmp;
  private Path outside;
  private RootFs root;

  /** A hostile layer given the sentinel directory's host path {o}, and what must happen. */
  record Case(String name, Function<String, TestLayer> layer, String refusedEntry, String landsAt) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Object[]> cases() {
    List<Case> cases = List.of(
        new Case("dot-dot name", o -> new TestLayer().file("../outside/sentinel", "pwned"), "../outside/sentinel", null),
        new Case("dot-dot deep", o -> new TestLayer().file("a/b/../../../../outside/new", "pwned"), "a/b/../../../../outside/new", null),
        new Case("dot-dot whiteout", o -> new TestLayer().file("../outside/.wh.sentinel", ""), "../outside/.wh.sentinel", null),
        new Case("absolute name", o -> new TestLayer().file(o + "/sentinel", "pwned"), null, "{o}/sentinel"),
        new Case("write through absolute symlink", o -> new TestLayer().symlink("evil", o).file("evil/sentinel", "pwned"),
            null, "{o}/sentinel"),
        new Case("write through climbing symlink", o -> new TestLayer().symlink("up", "../../../../../../..")
            .file("up/" + o + "/sentinel", "pwned"), null, "{o}/sentinel"),
        new Case("symlink chain out", o -> new TestLayer().symlink("a", "b").symlink("b", "../..").file("a/pwned", "pwned"),
            null, "/pwned"),
        new Case("hardlink climbing out", o -> new TestLayer().hardlink("hl", "../outside/sentinel"), "hl", null),
        new Case("hardlink absolute host path", o -> new TestLayer().hardlink("hl", o + "/sentinel"), "hl", null),
        new Case("hardlink through symlink out", o -> new TestLayer().symlink("evil", o).hardlink("hl", "evil/sentinel"),
            "hl", null),
        new Case("symlink replaced by directory mid-layer", o -> new TestLayer().symlink("d", o).dir("d/")
            .file("d/sentinel", "pwned"), null, "/d/sentinel"),
        new Case("directory replaced by symlink mid-layer", o -> new TestLayer().dir("d/").symlink("d", o)
            .file("d/sentinel", "pwned"), null, "{o}/sentinel"),
        new Case("parent of a new directory replaced by symlink mid-layer", o -> new TestLayer().dir("a/").dir("a/b/")
            .symlink("a", o).file("a/b/sentinel", "pwned"), null, "{o}/b/sentinel"),
        new Case("written directory whited out, then a symlink out in its place", o -> new TestLayer().dir("d/")
            .dir("d/sub/").file("d/sub/x", "x").file(".wh.d", "").symlink("d", o).file("d/sentinel", "pwned"),
            null, "{o}/sentinel"),
        new Case("written directory replaced by a symlink out, then written through", o -> new TestLayer().dir("d/")
            .dir("d/sub/").file("d/sub/x", "x").symlink("d", o).file("d/sentinel", "pwned"), null, "{o}/sentinel"),
        new Case("same member twice in a new directory", o -> new TestLayer().dir("d/").file("d/x", "first")
            .file("d/x", "pwned"), null, "/d/x"),
        new Case("whiteout through symlink", o -> new TestLayer().symlink("evil", o).file("evil/.wh.sentinel", ""), null, null),
        new Case("opaque through symlink", o -> new TestLayer().symlink("evil", o).file("evil/.wh..wh..opq", ""), null, null),
        new Case("symlink to sentinel then write", o -> new TestLayer().symlink("s", o + "/sentinel").file("s", "pwned"),
            null, "/s"));
    return Stream.of("disk", "memory").flatMap(fs -> cases.stream().map(c -> new Object[] {fs, c}));
  }

  private String setUp(String fs) throws IOException {
    if (fs.equals("disk")) {
      Files.createDirectory(tmp.resolve("root"));
      outside = Files.createDirectory(tmp.resolve("outside"));
      root = RootFs.at(tmp.resolve("root"));
    } else {
      root = InMemoryRootFs.create();
      outside = Files.createDirectory(root.root().resolveSibling("outside"));
    }
    Files.writeString(outside.resolve("sentinel"), "keep");
    return outside.toAbsolutePath().toString();
  }

  @AfterEach
  void sentinelIsUntouched() throws IOException {
    assertThat(Files.readString(outside.resolve("sentinel"))).isEqualTo("keep");
    try (Stream<Path> s = Files.list(outside)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("sentinel");
    }
    try (Stream<Path> s = Files.list(root.root().getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("rootfs".equals(root.root().getFileName().toString()) ? "rootfs" : "root", "outside");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  void hostileLayerIsContained(String fs, Case c) throws Exception {
    String o = setUp(fs);
    LayerUnpacker unpacker = new LayerUnpacker(root);
    byte[] layer = c.layer().apply(o).bytes();
    if (c.refusedEntry() != null) {
      assertThatThrownBy(() -> unpacker.apply(new java.io.ByteArrayInputStream(layer), "sha256:hostile"))
          .isInstanceOf(KairosException.class)
          .satisfies(e -> {
            assertThat(e.getMessage()).contains(c.refusedEntry());
            if (e instanceof UnsafePathException u) {
              assertThat(u.path()).isEqualTo(c.refusedEntry());
            }
          });
      return;
    }
    unpacker.apply(new java.io.ByteArrayInputStream(layer), "sha256:hostile");
    if (c.landsAt() != null) {
      ImagePath at = ImagePath.of(c.landsAt().replace("{o}", o));
      assertThat(root.metadata(at).type()).isEqualTo(FileType.REGULAR);
      assertThat(root.readString(at)).isEqualTo("pwned");
      assertThat(Files.readString(root.root().resolve(at.toRelativeString()), StandardCharsets.UTF_8)).isEqualTo("pwned");
    }
  }
}
