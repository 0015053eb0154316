package dev.kairos.factory.examples.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a downstream project tests its image customisation: on an in-memory root, no root user,
 * no disk, no container engine; the whole class runs in milliseconds.
 */
class EdgeSiteCustomisationTest {
  private final RootFs root = InMemoryRootFs.create();

  @Test
  void writesBannerSysctlAndARootOnlyToken() throws Exception {
    new EdgeSiteCustomisation("berlin-7").applyTo(root);

    assertThat(root.readString(EdgeSiteCustomisation.MOTD)).isEqualTo("Kairos edge node, site berlin-7\n");
    assertThat(root.readString(EdgeSiteCustomisation.SYSCTL)).contains("net.ipv4.ip_forward = 1");
    FileMetadata token = root.metadata(EdgeSiteCustomisation.TOKEN);
    assertThat(token.mode()).isEqualTo(0600);
    assertThat(token.uid()).isZero();
    assertThat(token.gid()).isZero();
    assertThat(root.metadata(EdgeSiteCustomisation.MOTD).mode()).isEqualTo(0644);
  }

  @Test
  void enablesTheUnitOfflineAsSystemctlWould() throws Exception {
    new EdgeSiteCustomisation("berlin-7").applyTo(root);

    assertThat(root.metadata(EdgeSiteCustomisation.WANTS).type()).isEqualTo(FileType.SYMLINK);
    assertThat(root.readSymlink(EdgeSiteCustomisation.WANTS)).isEqualTo("/etc/systemd/system/edge-report.service");
    // Resolved inside the image, as a chroot would: the link reaches the unit.
    assertThat(root.readString(EdgeSiteCustomisation.WANTS)).contains("WantedBy=multi-user.target");
  }

  @Test
  void applyingTwiceGivesTheSameTree() throws Exception {
    EdgeSiteCustomisation c = new EdgeSiteCustomisation("berlin-7");
    c.applyTo(root);
    List<String> once = tree(root);
    c.applyTo(root);
    assertThat(tree(root)).isEqualTo(once);
  }

  @Test
  void badSiteNameIsRefusedNamingIt() {
    assertThatThrownBy(() -> new EdgeSiteCustomisation("Berlin 7"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Berlin 7'");
  }

  private static List<String> tree(RootFs root) throws Exception {
    List<String> out = new ArrayList<>();
    // Everything but mtimes, which a second write legitimately moves.
    root.walk(ImagePath.ROOT, e -> {
      FileMetadata m = e.metadata();
      String content = e.type() == FileType.REGULAR ? new String(e.openContent().readAllBytes()) : "";
      out.add(String.join(" ", e.path().toString(), e.type().name(), Integer.toOctalString(m.mode()),
          m.uid() + ":" + m.gid(), e.symlinkTarget().orElse(""), content));
    });
    return out;
  }
}
