package dev.kairos.factory.oci.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.oci.internal.image.BaseImage;
import dev.kairos.factory.oci.internal.image.BaseImages;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.image.Layouts;
import dev.kairos.factory.oci.internal.layer.BaseSnapshot;
import dev.kairos.factory.oci.internal.layer.Compression;
import dev.kairos.factory.oci.internal.layer.LayerUnpacker;
import dev.kairos.factory.oci.internal.tar.TarEntry;
import dev.kairos.factory.oci.internal.tar.TarReader;
import dev.kairos.factory.oci.testsupport.TestImages;
import dev.kairos.factory.oci.testsupport.TreeDump;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class OciTargetPackTest {
  private static final EventListener QUIET = e -> { };

  private static RootFs populated() throws Exception {
    RootFs root = InMemoryRootFs.create();
    TestImages.populate(root, true);
    return root;
  }

  private static Path out(RootFs anyRoot, String name) {
    return anyRoot.root().getFileSystem().getPath("/out", name);
  }

  /** The manifest of {@code tag} in a layout. */
  static ObjectNode manifest(Path layout, String tag) throws Exception {
    for (JsonNode m : Layouts.index(layout).path("manifests")) {
      if (tag.equals(m.path("annotations").path(Layouts.REF_NAME).asString(""))) {
        Descriptor d = Descriptor.parse(m, "index");
        return Json.parse(Files.readAllBytes(new BlobStore(layout).path(d.digest())), "manifest");
      }
    }
    throw new AssertionError("no tag " + tag + " in " + layout);
  }

  static List<Descriptor> layers(Path layout, String tag) throws Exception {
    List<Descriptor> out = new ArrayList<>();
    for (JsonNode l : manifest(layout, tag).path("layers")) {
      out.add(Descriptor.parse(l, "manifest"));
    }
    return out;
  }

  static List<String> names(InputStream layer) throws Exception {
    List<String> names = new ArrayList<>();
    TarReader r = new TarReader(Compression.decompress(layer), "layer");
    for (TarEntry e; (e = r.next()) != null; ) {
      names.add(e.name());
    }
    return names;
  }

  @ParameterizedTest
  @EnumSource(OciTarget.LayerCompression.class)
  void sameRootTwiceGivesTheSameDigestsByteForByte(OciTarget.LayerCompression c) throws Exception {
    RootFs a = populated();
    Thread.sleep(1100); // different wall-clock mtimes in the second root; both are clamped to the source date
    RootFs b = populated();
    Artifact ra = OciTarget.layout(out(a, "layout"), "v1").withCompression(c).withLayers(OciTarget.Layers.SQUASHED)
        .write(TestImages.built(a, Optional.empty()), QUIET);
    Artifact rb = OciTarget.layout(out(b, "layout"), "v1").withCompression(c).withLayers(OciTarget.Layers.SQUASHED)
        .write(TestImages.built(b, Optional.empty()), QUIET);
    assertThat(ra.digest()).isPresent().isEqualTo(rb.digest());
    Descriptor la = layers(out(a, "layout"), "v1").get(0);
    Descriptor lb = layers(out(b, "layout"), "v1").get(0);
    assertThat(Files.readAllBytes(new BlobStore(out(a, "layout")).path(la.digest())))
        .isEqualTo(Files.readAllBytes(new BlobStore(out(b, "layout")).path(lb.digest())));
    assertThat(la.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar"
        + Compression.valueOf(c.name()).mediaTypeSuffix());
  }

  @Test
  void gzipHeaderHasNoNameAndNoTime() throws Exception {
    RootFs a = populated();
    OciTarget.layout(out(a, "l"), "v1").withLayers(OciTarget.Layers.SQUASHED).write(TestImages.built(a, Optional.empty()), QUIET);
    byte[] blob = Files.readAllBytes(new BlobStore(out(a, "l")).path(layers(out(a, "l"), "v1").get(0).digest()));
    assertThat(blob[0] & 0xff).isEqualTo(0x1f);
    assertThat(blob[3]).as("FLG: no FNAME, no FCOMMENT").isZero();
    assertThat(new byte[] {blob[4], blob[5], blob[6], blob[7]}).as("MTIME").containsOnly(0);
  }

  @Test
  void squashedLayerUnpacksToTheSameTree() throws Exception {
    RootFs a = populated();
    OciTarget.layout(out(a, "l"), "v1").withLayers(OciTarget.Layers.SQUASHED).write(TestImages.built(a, Optional.empty()), QUIET);
    Descriptor layer = layers(out(a, "l"), "v1").get(0);
    RootFs copy = InMemoryRootFs.create();
    try (InputStream in = new BlobStore(out(a, "l")).open(layer.digest())) {
      new LayerUnpacker(copy).apply(in, layer.digest());
    }
    assertThat(TreeDump.of(copy, false)).isEqualTo(TreeDump.of(a, false));
    // Every time is clamped to the source date (devices were made at the epoch); the root is not archived.
    assertThat(TreeDump.of(copy, true).subList(1, TreeDump.of(copy, true).size())).allSatisfy(line ->
        assertThat(line).matches(".*(mtime=1700000000|mtime=0|-> .*)$"));
    ObjectNode m = manifest(out(a, "l"), "v1");
    ObjectNode config = Json.parse(Files.readAllBytes(new BlobStore(out(a, "l")).path(m.path("config").path("digest").asString())), "config");
    assertThat(config.path("architecture").asString()).isEqualTo("amd64");
    assertThat(config.path("created").asString()).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(config.path("rootfs").path("diff_ids")).hasSize(1);
  }

  @Test
  void diffLayerHoldsOnlyChangesAndWhiteoutsOverReusedBaseLayers() throws Exception {
    RootFs a = populated();
    RootFs r = unpackedBase(a, "base", c -> c.put("WorkingDir", "/root"));
    Descriptor baseLayer = layers(out(a, "base"), "base").get(0);
    r.writeString(ImagePath.of("/etc/kairos-release"), "KAIROS_VERSION=v1\n");
    r.writeString(ImagePath.of("/etc/os-release"), "ID=kairos\n");
    r.deleteRecursively(ImagePath.of("/home/user"));
    r.delete(ImagePath.of("/usr/share/naïve-ünïcode.txt"));
    r.setMode(ImagePath.of("/etc/shadow"), 0600);

    Path l2 = out(a, "l2");
    OciTarget.layout(l2, "v2").write(TestImages.built(r, Optional.empty()), QUIET);
    List<Descriptor> ls = layers(l2, "v2");
    assertThat(ls).hasSize(2);
    assertThat(ls.get(0).digest()).isEqualTo(baseLayer.digest());
    List<String> diff;
    try (InputStream in = new BlobStore(l2).open(ls.get(1).digest())) {
      diff = names(in);
    }
    assertThat(diff).contains("etc/kairos-release", "etc/os-release", "etc/shadow", "home/.wh.user", "usr/share/.wh.naïve-ünïcode.txt")
        .doesNotContain("usr/bin/tool", "usr/lib/big.bin", "home/user/.wh..profile");
    ObjectNode config = Json.parse(Files.readAllBytes(new BlobStore(l2).path(manifest(l2, "v2").path("config").path("digest").asString())), "config");
    assertThat(config.path("config").path("WorkingDir").asString()).isEqualTo("/root");
    assertThat(config.path("rootfs").path("diff_ids")).hasSize(2);
    assertThat(config.path("history")).hasSize(2);

    RootFs q = InMemoryRootFs.create();
    for (Descriptor d : ls) {
      try (InputStream in = new BlobStore(l2).open(d.digest())) {
        new LayerUnpacker(q).apply(in, d.digest());
      }
    }
    assertThat(TreeDump.of(q, false)).isEqualTo(TreeDump.of(r, false));
  }

  @Test
  void entrypointReplacesTheBasesAndEnvIsMergedIntoItsByName() throws Exception {
    RootFs a = populated();
    RootFs r = unpackedBase(a, "base-env", c -> {
      c.putArray("Entrypoint").add("/bin/sh").add("-c");
      c.putArray("Env").add("PATH=/bin").add("LANG=C.UTF-8");
    });

    Path l = out(a, "l-env");
    OciTarget.layout(l, "v1").withEntrypoint(List.of("kairos-factory")).withEnv("PATH", "/usr/bin:/bin")
        .withEnv("HOME", "/root").write(TestImages.built(r, Optional.empty()), QUIET);
    ObjectNode config = Json.parse(Files.readAllBytes(new BlobStore(l).path(manifest(l, "v1").path("config").path("digest").asString())), "config");
    assertThat(config.path("config").path("Entrypoint").valueStream().map(n -> n.asString())).containsExactly("kairos-factory");
    assertThat(config.path("config").path("Env").valueStream().map(n -> n.asString()))
        .containsExactly("HOME=/root", "LANG=C.UTF-8", "PATH=/usr/bin:/bin");

    // Without them the base's are carried over as they were.
    Path plain = out(a, "l-plain");
    OciTarget.layout(plain, "v1").write(TestImages.built(r, Optional.empty()), QUIET);
    ObjectNode kept = Json.parse(Files.readAllBytes(new BlobStore(plain).path(manifest(plain, "v1").path("config").path("digest").asString())), "config");
    assertThat(kept.path("config").path("Entrypoint").valueStream().map(n -> n.asString())).containsExactly("/bin/sh", "-c");
    assertThat(kept.path("config").path("Env").valueStream().map(n -> n.asString())).containsExactly("PATH=/bin", "LANG=C.UTF-8");

    assertThatThrownBy(() -> OciTarget.layout(l, "v1").withEntrypoint(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OciTarget.layout(l, "v1").withEnv("A=B", "c")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("A=B");
  }

  /**
   * {@code a} packed as a one-layer base image into the layout {@code name} (its runtime config
   * changed by {@code edit}), unpacked into a new root that is registered as made from that base.
   */
  private RootFs unpackedBase(RootFs a, String name, java.util.function.Consumer<ObjectNode> edit) throws Exception {
    Path baseLayout = out(a, name);
    OciTarget.layout(baseLayout, "base").withLayers(OciTarget.Layers.SQUASHED).write(TestImages.built(a, Optional.empty()), QUIET);
    Descriptor baseLayer = layers(baseLayout, "base").get(0);
    BlobStore baseStore = new BlobStore(baseLayout);
    ObjectNode baseConfig = Json.parse(Files.readAllBytes(baseStore.path(
        manifest(baseLayout, "base").path("config").path("digest").asString())), "config");
    edit.accept(baseConfig.withObject("config"));
    RootFs r = InMemoryRootFs.create();
    try (InputStream in = baseStore.open(baseLayer.digest())) {
      new LayerUnpacker(r).apply(in, "base");
    }
    BaseImages.register(r, new BaseImage(baseConfig, List.of(baseLayer),
        List.of(baseConfig.path("rootfs").path("diff_ids").get(0).asString()), d -> baseStore.open(d.digest()),
        Optional.empty(), BaseSnapshot.of(r), Optional.empty()));
    return r;
  }

  @Test
  void archiveIsReproducibleAndHoldsALayout() throws Exception {
    RootFs a = populated();
    Path f1 = out(a, "one.tar");
    Path f2 = out(a, "two.tar");
    OciTarget.archive(f1).write(TestImages.built(a, Optional.empty()), QUIET);
    OciTarget.archive(f2).write(TestImages.built(a, Optional.empty()), QUIET);
    assertThat(Files.readAllBytes(f1)).isEqualTo(Files.readAllBytes(f2));
    List<String> names;
    try (InputStream in = Files.newInputStream(f1)) {
      names = names(in);
    }
    assertThat(names.subList(0, 4)).containsExactly("oci-layout", "index.json", "blobs/", "blobs/sha256/");
    assertThat(names).hasSize(7);
    try (var s = Files.list(f1.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("one.tar", "two.tar");
    }
  }
}
