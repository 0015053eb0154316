package dev.kairos.factory.oci.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.oci.api.OciSource;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.oci.testsupport.TestImages;
import dev.kairos.factory.oci.testsupport.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file capability set on disk with {@code setcap}, as a package's postinst does, survives our
 * layer pack and unpack, and umoci agrees both ways: it unpacks our layer with the capability, and
 * we unpack the capability from a layer umoci packed. {@code getcap} reads the disk each time.
 */
class CapabilityRoundTripIT {
  private static final Duration T = Duration.ofMinutes(2);

  private static String getcap(Path file) throws Exception {
    return Tools.run(T, "getcap", file.toString());
  }

  @Test
  void aCapabilityOnDiskSurvivesPackAndUnpack(@TempDir Path tmp) throws Exception {
    RootFs src = RootFs.at(Files.createDirectory(tmp.resolve("src")));
    assumeTrue(src.hasNativeOwnership(), "setting security.capability needs root");
    assumeTrue(Tools.exists("umoci") && Tools.exists("setcap") && Tools.exists("getcap"), "needs umoci and libcap2-bin");
    src.createDirectories(ImagePath.of("/usr/bin"));
    src.writeString(ImagePath.of("/usr/bin/ping"), "ping");
    src.setMode(ImagePath.of("/usr/bin/ping"), 0755);
    Tools.run(T, "setcap", "cap_net_raw+ep", src.root().resolve("usr/bin/ping").toString());
    byte[] cap = src.metadata(ImagePath.of("/usr/bin/ping")).xattrs().get("security.capability");
    assertThat(cap).as("walk reads the capability setcap put on disk").isNotNull();

    Path layout = tmp.resolve("layout");
    OciTarget.layout(layout, "v1").withLayers(OciTarget.Layers.SQUASHED)
        .write(TestImages.built(src, Optional.empty()), e -> { });

    Tools.run(T, "umoci", "unpack", "--image", layout + ":v1", tmp.resolve("bundle").toString());
    Path umociPing = tmp.resolve("bundle/rootfs/usr/bin/ping");
    assertThat(getcap(umociPing)).contains("cap_net_raw=ep");

    RootFs ours = OciSource.layout(layout, "v1").materialize(tmp.resolve("ours"), e -> { });
    assertThat(getcap(ours.hostPath(ImagePath.of("/usr/bin/ping"), false))).contains("cap_net_raw=ep");
    assertThat(ours.metadata(ImagePath.of("/usr/bin/ping")).xattrs().get("security.capability")).containsExactly(cap);

    // the other way: umoci packs a capability set in its bundle, we unpack it
    Tools.run(T, "cp", umociPing.toString(), tmp.resolve("bundle/rootfs/usr/bin/arping").toString());
    Tools.run(T, "setcap", "cap_net_admin,cap_net_raw+ep", tmp.resolve("bundle/rootfs/usr/bin/arping").toString());
    Tools.run(T, "umoci", "repack", "--image", layout + ":v2", tmp.resolve("bundle").toString());
    RootFs fromUmoci = OciSource.layout(layout, "v2").materialize(tmp.resolve("from-umoci"), e -> { });
    assertThat(getcap(fromUmoci.hostPath(ImagePath.of("/usr/bin/arping"), false)))
        .contains("cap_net_admin,cap_net_raw=ep");
    assertThat(getcap(fromUmoci.hostPath(ImagePath.of("/usr/bin/ping"), false))).contains("cap_net_raw=ep");
  }
}
