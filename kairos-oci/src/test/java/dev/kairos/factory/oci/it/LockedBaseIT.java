package dev.kairos.factory.oci.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.oci.api.OciSource;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.oci.testsupport.ClassRegistry;
import dev.kairos.factory.oci.testsupport.TestImages;
import dev.kairos.factory.oci.testsupport.TreeDump;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lock pins a registry or layout base by its manifest digest: a replay pulls that digest after
 * the tag has moved, and a digest the registry no longer holds fails naming reference and digest
 * (Debian's docker-registry on 127.0.0.1).
 */
class LockedBaseIT {
  @RegisterExtension static final ClassRegistry REGISTRY = new ClassRegistry();

  private static RootFs image(Path dir, String marker) throws Exception {
    Files.createDirectories(dir);
    RootFs root = RootFs.at(dir);
    TestImages.populate(root, false);
    root.writeString(ImagePath.of("/etc/marker"), marker + "\n");
    return root;
  }

  /** The lock a build from {@code source} records of its base (the part this test is about). */
  private static Lock lockOf(ImageSource source, RootFs root) {
    Lock.Builder b = Lock.builder().kairosVersion("v1.0.0").sourceDate(1_700_000_000L).base("source", source.description());
    source.lockEntries(root).forEach(b::base);
    return b.build();
  }

  @Test
  void aRegistryBaseReplaysByItsDigestAfterTheTagMoved(@TempDir Path tmp) throws Exception {
    String ref = REGISTRY.address() + "/kairos/locked-base:v1";
    RootFs day1 = image(tmp.resolve("day1-src"), "day 1");
    Artifact first = OciTarget.registry(ref).write(TestImages.built(day1, Optional.empty()), e -> { });

    OciSource source = OciSource.pull(ref);
    RootFs pulled = source.materialize(tmp.resolve("pulled"), e -> { });
    Lock lock = Lock.parse("kairos.lock", lockOf(source, pulled).format());
    assertThat(lock.base()).containsEntry("source", ref).containsEntry("digest", first.digest().orElseThrow());

    // Another day: the tag names another image.
    Artifact second = OciTarget.registry(ref).write(TestImages.built(image(tmp.resolve("day2-src"), "day 2"),
        Optional.empty()), e -> { });
    assertThat(second.digest()).isNotEqualTo(first.digest());
    RootFs unlocked = OciSource.pull(ref).materialize(tmp.resolve("unlocked"), e -> { });
    assertThat(unlocked.readString(ImagePath.of("/etc/marker"))).isEqualTo("day 2\n");

    ImageSource replay = OciSource.pull(ref).replaying(lock, Optional.empty());
    RootFs replayed = replay.materialize(tmp.resolve("replayed"), e -> { });
    assertThat(replayed.readString(ImagePath.of("/etc/marker"))).isEqualTo("day 1\n");
    assertThat(TreeDump.of(replayed, false)).isEqualTo(TreeDump.of(pulled, false));
    assertThat(replay.lockEntries(replayed)).containsEntry("digest", first.digest().orElseThrow());

    // A digest the registry does not hold: named with the reference.
    String gone = "sha256:" + "0".repeat(64);
    Lock missing = lock.toBuilder().base("digest", gone).build();
    assertThatThrownBy(() -> OciSource.pull(ref).replaying(missing, Optional.empty()).materialize(tmp.resolve("gone"), e -> { }))
        .isInstanceOf(KairosException.class).hasMessageContaining(ref).hasMessageContaining(gone);
  }

  @Test
  void aLayoutBaseReplaysByItsDigestAfterTheTagMoved(@TempDir Path tmp) throws Exception {
    Path layout = tmp.resolve("layout");
    Artifact first = OciTarget.layout(layout, "v1").write(TestImages.built(image(tmp.resolve("a"), "day 1"), Optional.empty()),
        e -> { });
    OciSource source = OciSource.layout(layout, "v1");
    RootFs pulled = source.materialize(tmp.resolve("pulled"), e -> { });
    Lock lock = lockOf(source, pulled);
    assertThat(lock.base()).containsEntry("digest", first.digest().orElseThrow());

    OciTarget.layout(layout, "v1").write(TestImages.built(image(tmp.resolve("b"), "day 2"), Optional.empty()), e -> { });
    assertThat(OciSource.layout(layout, "v1").materialize(tmp.resolve("unlocked"), e -> { })
        .readString(ImagePath.of("/etc/marker"))).isEqualTo("day 2\n");
    RootFs replayed = OciSource.layout(layout, "v1").replaying(lock, Optional.empty())
        .materialize(tmp.resolve("replayed"), e -> { });
    assertThat(replayed.readString(ImagePath.of("/etc/marker"))).isEqualTo("day 1\n");
  }
}
