package dev.kairos.factory.oci.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.oci.api.DigestMismatchException;
import dev.kairos.factory.oci.api.OciSource;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.oci.testing.LocalRegistry;
import dev.kairos.factory.oci.testsupport.ClassRegistry;
import dev.kairos.factory.oci.testsupport.TestImages;
import dev.kairos.factory.oci.testsupport.TreeDump;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Push and pull through a real registry (Debian's docker-registry on 127.0.0.1). */
class RegistryRoundTripIT {
  @RegisterExtension static final ClassRegistry REGISTRY = new ClassRegistry();

  private static RootFs synthetic(Path dir) throws Exception {
    Files.createDirectories(dir);
    RootFs root = RootFs.at(dir);
    TestImages.populate(root, true);
    return root;
  }

  @Test
  void pushPullCacheAndDiffRoundTrip(@TempDir Path tmp) throws Exception {
    RootFs src = synthetic(tmp.resolve("src"));
    String ref = REGISTRY.address() + "/kairos/roundtrip:v1";
    List<KairosEvent> pushEvents = new ArrayList<>();
    Artifact pushed = OciTarget.registry(ref).withLayers(OciTarget.Layers.SQUASHED)
        .write(TestImages.built(src, Optional.empty()), pushEvents::add);
    assertThat(pushed.digest()).isPresent();

    Path cache = tmp.resolve("cache");
    List<KairosEvent> first = new ArrayList<>();
    RootFs pulled = OciSource.pull(ref).withCacheDirectory(cache).materialize(tmp.resolve("pulled"), first::add);
    assertThat(TreeDump.of(pulled, false)).isEqualTo(TreeDump.of(src, false));
    assertThat(first).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(KairosEvent.Progress.class,
        p -> assertThat(p.task()).startsWith("pull sha256:")));

    // The same image again: every layer comes from the cache, none is transferred.
    List<KairosEvent> second = new ArrayList<>();
    RootFs again = OciSource.pull(ref).withCacheDirectory(cache).materialize(tmp.resolve("again"), second::add);
    assertThat(TreeDump.of(again, false)).isEqualTo(TreeDump.of(src, false));
    assertThat(second).noneSatisfy(e -> assertThat(e).isInstanceOfSatisfying(KairosEvent.Progress.class,
        p -> assertThat(p.task()).startsWith("pull sha256:")));
    assertThat(second).filteredOn(e -> e instanceof KairosEvent.CacheHit).hasSize(1);

    // Pushing the same image again sends no blob.
    List<KairosEvent> repush = new ArrayList<>();
    Artifact pushedAgain = OciTarget.registry(ref).withLayers(OciTarget.Layers.SQUASHED)
        .write(TestImages.built(src, Optional.empty()), repush::add);
    assertThat(pushedAgain.digest()).isEqualTo(pushed.digest());
    assertThat(repush).filteredOn(e -> e instanceof KairosEvent.CacheHit).hasSize(2);
    assertThat(repush).noneMatch(e -> e instanceof KairosEvent.Progress p && p.task().startsWith("push "));

    // A diff layer on top of the pulled base, pushed to another repository, pulled back.
    again.writeString(ImagePath.of("/etc/kairos-release"), "KAIROS_VERSION=\"v1.0.0\"\n");
    again.deleteRecursively(ImagePath.of("/home/user"));
    String ref2 = REGISTRY.address() + "/kairos/derived:v2";
    List<KairosEvent> diffEvents = new ArrayList<>();
    OciTarget.registry(ref2).write(TestImages.built(again, Optional.empty()), diffEvents::add);
    assertThat(diffEvents).anyMatch(e -> e instanceof KairosEvent.CacheHit c && c.what().contains("mounted"));
    RootFs derived = OciSource.pull(ref2).materialize(tmp.resolve("derived"), e -> { });
    assertThat(TreeDump.of(derived, false)).isEqualTo(TreeDump.of(again, false));
    assertThat(derived.exists(ImagePath.of("/home/user"))).isFalse();
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".kairos-"));
    }
  }

  @Test
  void corruptBlobFailsAndNothingIsKept(@TempDir Path tmp) throws Exception {
    RootFs src = synthetic(tmp.resolve("src"));
    String ref = REGISTRY.address() + "/kairos/corrupt:v1";
    OciTarget.registry(ref).withLayers(OciTarget.Layers.SQUASHED).write(TestImages.built(src, Optional.empty()), e -> { });
    Path cache = tmp.resolve("cache");
    Path probe = tmp.resolve("probe");
    OciSource.pull(ref).withCacheDirectory(cache).materialize(probe, e -> { });
    Path blobs = cache.resolve("blobs/sha256");
    String layerHex;
    try (Stream<Path> s = Files.list(blobs)) {
      layerHex = s.map(p -> p.getFileName().toString()).findFirst().orElseThrow();
    }
    Path data = REGISTRY.get().blobData("sha256:" + layerHex);
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(data, bytes);
    Files.delete(blobs.resolve(layerHex));

    Path target = tmp.resolve("target");
    assertThatThrownBy(() -> OciSource.pull(ref).withCacheDirectory(cache).materialize(target, e -> { }))
        .isInstanceOf(DigestMismatchException.class).hasMessageContaining("sha256:" + layerHex);
    try (Stream<Path> s = Files.list(target)) {
      assertThat(s).as("target emptied").isEmpty();
    }
    try (Stream<Path> s = Files.list(blobs)) {
      assertThat(s).as("no blob kept").isEmpty();
    }
  }

  @Test
  void basicAuthIsRequiredAndUsed(@TempDir Path tmp) throws Exception {
    try (LocalRegistry authed = LocalRegistry.startWithBasicAuth(tmp.resolve("authreg"), "kairos", "s3cret")) {
      RootFs src = synthetic(tmp.resolve("src"));
      String ref = authed.address() + "/kairos/private:v1";
      assertThatThrownBy(() -> OciTarget.registry(ref).write(TestImages.built(src, Optional.empty()), e -> { }))
          .isInstanceOf(KairosException.class).hasMessageContaining("401");
      OciTarget.registry(ref).withCredentials("kairos", "s3cret").write(TestImages.built(src, Optional.empty()), e -> { });
      assertThatThrownBy(() -> OciSource.pull(ref).materialize(tmp.resolve("anon"), e -> { }))
          .isInstanceOf(KairosException.class);
      RootFs pulled = OciSource.pull(ref).withCredentials("kairos", "s3cret").materialize(tmp.resolve("pulled"), e -> { });
      assertThat(TreeDump.of(pulled, false)).isEqualTo(TreeDump.of(src, false));
    }
  }
}
