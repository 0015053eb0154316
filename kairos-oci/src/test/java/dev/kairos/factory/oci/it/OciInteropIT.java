package dev.kairos.factory.oci.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.oci.api.OciSource;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.oci.internal.image.Layouts;
import dev.kairos.factory.oci.testing.LocalRegistry;
import dev.kairos.factory.oci.testsupport.TestImages;
import dev.kairos.factory.oci.testsupport.Tools;
import dev.kairos.factory.oci.testsupport.TreeDump;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The referees: skopeo copies what we push, umoci unpacks what we write, we read what skopeo and
 * umoci write, and our unpack of an image equals umoci's (paths, types, modes, owners, link
 * targets, content), on a synthetic image and on a debootstrapped Debian.
 */
class OciInteropIT {
  private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(5);
  @TempDir static Path shared;
  static LocalRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    assumeTrue(Tools.exists("skopeo") && Tools.exists("umoci"), "skopeo and umoci are needed");
    assumeTrue(RootFs.at(shared).hasNativeOwnership(), "umoci keeps owners only as root");
    registry = LocalRegistry.start(shared.resolve("registry"));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  /** The tree without its root line (the root directory itself is not part of a layer). */
  private static List<String> tree(RootFs root) throws Exception {
    List<String> t = TreeDump.of(root, false, false);
    return t.subList(1, t.size());
  }

  private static String run(String... command) throws Exception {
    return Tools.run(TOOL_TIMEOUT, command);
  }

  private static String indexDigest(Path layout) throws Exception {
    JsonNode m = Layouts.index(layout).path("manifests").get(0);
    return m.path("digest").asString();
  }

  @Test
  void skopeoAndUmociReadWhatWeWrite(@TempDir Path tmp) throws Exception {
    Files.createDirectories(tmp.resolve("src"));
    RootFs src = RootFs.at(tmp.resolve("src"));
    TestImages.populate(src, true);

    Path layout = tmp.resolve("ours");
    OciTarget.layout(layout, "v1").withLayers(OciTarget.Layers.SQUASHED).write(TestImages.built(src, Optional.empty()), e -> { });
    run("umoci", "unpack", "--image", layout + ":v1", tmp.resolve("bundle").toString());
    assertThat(tree(RootFs.at(tmp.resolve("bundle/rootfs")))).isEqualTo(tree(src));

    String ref = registry.address() + "/interop/synthetic:v1";
    Artifact pushed = OciTarget.registry(ref).withLayers(OciTarget.Layers.SQUASHED)
        .write(TestImages.built(src, Optional.empty()), e -> { });
    Path copied = tmp.resolve("skopeo-layout");
    run("skopeo", "copy", "--src-tls-verify=false", "docker://" + ref, "oci:" + copied + ":v1");
    assertThat(indexDigest(copied)).isEqualTo(pushed.digest().orElseThrow());

    // zstd: skopeo carries it through a layout and back into the registry; we pull it back.
    String zref = registry.address() + "/interop/zstd:v1";
    OciTarget.registry(zref).withLayers(OciTarget.Layers.SQUASHED).withCompression(OciTarget.LayerCompression.ZSTD)
        .write(TestImages.built(src, Optional.empty()), e -> { });
    Path zl = tmp.resolve("zstd-layout");
    run("skopeo", "copy", "--src-tls-verify=false", "docker://" + zref, "oci:" + zl + ":v1");
    String back = registry.address() + "/interop/zstd-back:v1";
    run("skopeo", "copy", "--dest-tls-verify=false", "oci:" + zl + ":v1", "docker://" + back);
    RootFs pulled = OciSource.pull(back).materialize(tmp.resolve("zstd-pulled"), e -> { });
    assertThat(tree(pulled)).isEqualTo(tree(src));
  }

  @Test
  void ourUnpackEqualsUmocisOnDebianFromEverySource(@TempDir Path tmp) throws Exception {
    DebianFixture.assumeUsable();
    // An image written by umoci alone: the minbase tree, repacked into a fresh layout.
    Path layout = tmp.resolve("umoci-layout");
    Path bundle = tmp.resolve("bundle");
    run("umoci", "init", "--layout", layout.toString());
    run("umoci", "new", "--image", layout + ":v1");
    run("umoci", "unpack", "--image", layout + ":v1", bundle.toString());
    run("tar", "--numeric-owner", "--xattrs", "--xattrs-include=*", "--zstd", "-xpf",
        DebianFixture.minbaseTarball().toString(), "-C", bundle.resolve("rootfs").toString());
    run("umoci", "repack", "--image", layout + ":v1", bundle.toString());
    Path reference = tmp.resolve("umoci-unpacked");
    run("umoci", "unpack", "--image", layout + ":v1", reference.toString());
    List<String> expected = tree(RootFs.at(reference.resolve("rootfs")));
    assertThat(expected.size()).isGreaterThan(5000);

    RootFs fromLayout = OciSource.layout(layout, "v1").materialize(tmp.resolve("from-layout"), e -> { });
    assertThat(tree(fromLayout)).isEqualTo(expected);

    String ref = registry.address() + "/interop/debian:v1";
    run("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":v1", "docker://" + ref);
    RootFs fromRegistry = OciSource.pull(ref).materialize(tmp.resolve("from-registry"), e -> { });
    assertThat(tree(fromRegistry)).isEqualTo(expected);

    Path dockerArchive = tmp.resolve("debian.docker.tar");
    run("skopeo", "copy", "oci:" + layout + ":v1", "docker-archive:" + dockerArchive + ":interop/debian:v1");
    RootFs fromDocker = OciSource.dockerArchive(dockerArchive).materialize(tmp.resolve("from-docker"), e -> { });
    assertThat(tree(fromDocker)).isEqualTo(expected);

    Path ociArchive = tmp.resolve("debian.oci.tar");
    run("skopeo", "copy", "oci:" + layout + ":v1", "oci-archive:" + ociArchive + ":v1");
    RootFs fromArchive = OciSource.archive(ociArchive).materialize(tmp.resolve("from-archive"), e -> { });
    assertThat(tree(fromArchive)).isEqualTo(expected);
  }
}
