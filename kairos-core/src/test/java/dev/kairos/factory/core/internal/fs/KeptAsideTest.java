package dev.kairos.factory.core.internal.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KeptAside}, the one mechanism behind the install phase's temporary files and the sandbox
 * runner's: the image's own file survives, ours never stays, and a run killed between the two
 * halves is mended by the next.
 */
class KeptAsideTest {
  private static final ImagePath PATH = ImagePath.of("/usr/sbin/policy-rc.d");
  private static final byte[] OURS = "#!/bin/sh\nexit 101\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] OWN = "#!/bin/sh\n# the image's own\nexit 0\n".getBytes(StandardCharsets.UTF_8);

  private final KeptAside kept = KeptAside.by("kairos-kept");
  private final List<KairosEvent> events = new ArrayList<>();
  private RootFs root;

  @BeforeEach
  void setUp() throws Exception {
    root = InMemoryRootFs.create();
    root.createDirectories(PATH.parent());
  }

  private void placeOurs(KeptAside k, byte[] content) throws Exception {
    k.makeWay(root, PATH, events::add);
    root.write(PATH, content, 0755);
  }

  @Test
  void theImagesOwnFileIsKeptAsideAndPutBackWithItsMode() throws Exception {
    root.write(PATH, OWN, 0700);
    placeOurs(kept, OURS);
    assertThat(root.readAllBytes(PATH)).isEqualTo(OURS);
    assertThat(root.readAllBytes(kept.aside(PATH))).isEqualTo(OWN);

    assertThat(kept.putBack(root, PATH)).isTrue();
    assertThat(root.readAllBytes(PATH)).isEqualTo(OWN);
    assertThat(root.metadata(PATH).mode() & 07777).isEqualTo(0700);
    assertThat(root.list(PATH.parent())).containsExactly("policy-rc.d");
    assertThat(events).isEmpty();
  }

  @Test
  void onAnImageWithoutOneOursIsRemovedAndNothingIsLeft() throws Exception {
    placeOurs(kept, OURS);
    assertThat(root.list(PATH.parent())).containsExactlyInAnyOrder("policy-rc.d", ".policy-rc.d.kairos-kept");
    kept.putBack(root, PATH);
    assertThat(root.list(PATH.parent())).isEmpty();
  }

  @Test
  void aPutBackWhoseMakeWayNeverRanLeavesTheImagesFileAlone() throws Exception {
    // the install step failed before its temporary files were written: the image's own stays
    root.write(PATH, OWN, 0700);
    assertThat(kept.putBack(root, PATH)).isFalse();
    assertThat(root.readAllBytes(PATH)).isEqualTo(OWN);
  }

  @Test
  void aRunKilledWhileOursWasInPlaceIsMendedByTheNextOnAnImageThatHadOne() throws Exception {
    root.write(PATH, OWN, 0700);
    placeOurs(kept, OURS); // then SIGKILL: no put-back

    placeOurs(kept, OURS);
    assertThat(events).singleElement().isEqualTo(new KairosEvent.Log(KairosEvent.Level.WARN,
        "restored /usr/sbin/policy-rc.d as it was before an earlier run that did not finish"));
    kept.putBack(root, PATH);
    assertThat(root.readAllBytes(PATH)).isEqualTo(OWN);
    assertThat(root.list(PATH.parent())).containsExactly("policy-rc.d");
  }

  @Test
  void aRunKilledWhileOursWasInPlaceIsMendedByTheNextOnAnImageThatHadNone() throws Exception {
    placeOurs(kept, OURS); // then SIGKILL: ours is at the path, and must not be taken for the image's

    placeOurs(kept, OURS);
    kept.putBack(root, PATH);
    assertThat(root.list(PATH.parent())).isEmpty();
    assertThat(events).hasSize(1);
  }

  @Test
  void twoHoldersNestOnOnePath() throws Exception {
    // the install phase's policy-rc.d, then the runner's around one command of that install
    KeptAside runner = KeptAside.by("kairos-saved");
    root.write(PATH, OWN, 0700);
    placeOurs(kept, OURS);
    byte[] runners = "#!/bin/sh\n# the runner's\nexit 101\n".getBytes(StandardCharsets.UTF_8);
    placeOurs(runner, runners);
    assertThat(root.readAllBytes(PATH)).isEqualTo(runners);

    runner.putBack(root, PATH);
    assertThat(root.readAllBytes(PATH)).isEqualTo(OURS);
    kept.putBack(root, PATH);
    assertThat(root.readAllBytes(PATH)).isEqualTo(OWN);
    assertThat(root.list(PATH.parent())).containsExactly("policy-rc.d");
    assertThat(events).isEmpty();
  }

  @Test
  void aSymlinkIsKeptAsItselfNotFollowed() throws Exception {
    ImagePath resolv = ImagePath.of("/etc/resolv.conf");
    root.createDirectories(resolv.parent());
    root.createSymlink(resolv, "../run/systemd/resolve/stub-resolv.conf"); // dangles in the image
    kept.makeWay(root, resolv, events::add);
    root.write(resolv, "nameserver 192.0.2.1\n".getBytes(StandardCharsets.UTF_8), 0644);
    assertThat(root.exists(ImagePath.of("/run/systemd/resolve/stub-resolv.conf"))).isFalse();

    kept.putBack(root, resolv);
    assertThat(root.readSymlink(resolv)).isEqualTo("../run/systemd/resolve/stub-resolv.conf");
    assertThat(root.list(ImagePath.of("/etc"))).containsExactly("resolv.conf");
  }

  @Test
  void aHolderIsAPlainNameSuffix() {
    assertThatThrownBy(() -> KeptAside.by("../x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'../x'");
  }
}
