package dev.kairos.factory.core.api.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.internal.fs.ProcessIdentity;
import dev.kairos.factory.core.internal.run.HostTool;
import dev.kairos.factory.core.it.Scratch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The {@link RootFsContract} on a real directory as root: owners, the full mode, device nodes and
 * FIFOs land on disk for real, which this class checks beside the contract by reading the disk
 * with the JDK (not through {@link RootFs}), and a second {@link RootFs} over the same directory
 * sees them too.
 */
class RootFsDiskIT extends RootFsContract {
  @Override
  protected Path newBase() throws IOException {
    assumeTrue(System.getProperty("os.name").startsWith("Linux") && ProcessIdentity.isRoot(), "needs root on Linux");
    return Scratch.create("rootfs-contract");
  }

  @Override
  protected void deleteBase(Path base) throws IOException {
    Scratch.delete(base);
  }

  private Path host(String inImage) {
    return root.root().resolve(inImage.substring(1));
  }

  private int diskMode(String inImage) throws IOException {
    return (Integer) Files.getAttribute(host(inImage), "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void usesNativeOwnership() {
    assertThat(root.hasNativeOwnership()).isTrue();
  }

  @Test
  void setuidSetgidStickyAndOwnersLandOnDisk() throws Exception {
    root.writeString(p("/usr/bin/sudo"), "x");
    root.setMode(p("/usr/bin/sudo"), 04755);
    root.setOwner(p("/usr/bin/sudo"), 0, 27);
    root.createDirectories(p("/var/mail"));
    root.setMode(p("/var/mail"), 02775);
    root.setOwner(p("/var/mail"), 0, 8);
    root.createDirectory(p("/tmp"), FileMetadata.builder(FileType.DIRECTORY).mode(01777).build());
    root.createSymlink(p("/l"), "usr");
    root.setOwner(p("/l"), 1000, 1001);

    assertThat(Integer.toOctalString(diskMode("/usr/bin/sudo"))).isEqualTo("104755");
    assertThat(Integer.toOctalString(diskMode("/var/mail"))).isEqualTo("42775");
    assertThat(Integer.toOctalString(diskMode("/tmp"))).isEqualTo("41777");
    assertThat(Files.getAttribute(host("/usr/bin/sudo"), "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(27);
    assertThat(Files.getAttribute(host("/l"), "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1000);
    assertThat(Files.getAttribute(host("/l"), "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1001);
    assertThat(Files.getAttribute(host("/usr"), "unix:uid", LinkOption.NOFOLLOW_LINKS)).as("the link's target keeps its owner").isEqualTo(0);

    RootFs again = RootFs.at(root.root());
    assertThat(again.metadata(p("/usr/bin/sudo"))).extracting(FileMetadata::mode, FileMetadata::gid).containsExactly(04755, 27);
    assertThat(again.metadata(p("/l"))).extracting(FileMetadata::uid, FileMetadata::gid).containsExactly(1000, 1001);
  }

  @Test
  void devicesAndFifosAreRealNodes() throws Exception {
    root.createDirectories(p("/dev"));
    root.createSpecial(p("/dev/console"), FileMetadata.builder(FileType.CHAR_DEVICE).mode(0600).device(5, 1).build());
    root.createSpecial(p("/dev/nvme0n1"), FileMetadata.builder(FileType.BLOCK_DEVICE).mode(0660).gid(6).device(259, 300_000).build());
    root.createSpecial(p("/dev/initctl"), FileMetadata.builder(FileType.FIFO).mode(0600).build());

    assertThat(Integer.toOctalString(diskMode("/dev/console"))).isEqualTo("20600");
    assertThat(Integer.toOctalString(diskMode("/dev/nvme0n1"))).isEqualTo("60660");
    assertThat(Integer.toOctalString(diskMode("/dev/initctl"))).isEqualTo("10600");
    long rdev = (Long) Files.getAttribute(host("/dev/nvme0n1"), "unix:rdev", LinkOption.NOFOLLOW_LINKS);
    // glibc's makedev(259, 300000)
    long expected = ((259L & 0xfff) << 8) | ((259L & ~0xfffL) << 32) | (300_000L & 0xff) | ((300_000L & ~0xffL) << 12);
    assertThat(rdev).isEqualTo(expected);
    assertThat(Files.getAttribute(host("/dev/nvme0n1"), "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(6);

    RootFs again = RootFs.at(root.root());
    assertThat(again.metadata(p("/dev/nvme0n1"))).extracting(FileMetadata::type, FileMetadata::deviceMajor, FileMetadata::deviceMinor)
        .containsExactly(FileType.BLOCK_DEVICE, 259, 300_000);
    assertThat(again.metadata(p("/dev/initctl")).type()).isEqualTo(FileType.FIFO);
  }

  /** {@code setcap cap_net_raw+ep}, as iputils-ping's postinst does, in the kernel's v2 format. */
  private static final byte[] CAP_NET_RAW_EP = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

  @Test
  void aCapabilitySetOnDiskBySetcapIsSeenByWalk() throws Exception {
    assumeTrue(HostTool.exists("setcap"), "needs setcap (libcap2-bin)");
    root.writeString(p("/usr/bin/ping"), "x");
    root.createSymlink(p("/usr/bin/ping4"), "ping");
    HostTool.run(Duration.ofSeconds(30), "setcap", "cap_net_raw+ep", host("/usr/bin/ping").toString());

    Map<String, FileMetadata> walked = new TreeMap<>();
    RootFs.at(root.root()).walk(ImagePath.ROOT, e -> walked.put(e.path().toString(), e.metadata()));
    assertThat(walked.get("/usr/bin/ping").xattrs()).containsOnlyKeys("security.capability");
    assertThat(walked.get("/usr/bin/ping").xattrs().get("security.capability")).containsExactly(CAP_NET_RAW_EP);
    assertThat(walked.get("/usr/bin/ping4").xattrs()).as("a symlink is not followed").isEmpty();
  }

  @Test
  void aCapabilitySetThroughRootFsLandsOnDisk() throws Exception {
    assumeTrue(HostTool.exists("getcap"), "needs getcap (libcap2-bin)");
    root.writeString(p("/usr/bin/ping"), "x");
    root.setXattr(p("/usr/bin/ping"), "security.capability", CAP_NET_RAW_EP);
    root.setOwner(p("/usr/bin/ping"), 0, 0);
    assertThat(HostTool.run(Duration.ofSeconds(30), "getcap", host("/usr/bin/ping").toString()))
        .contains("cap_net_raw=ep");
    assertThat(RootFs.at(root.root()).metadata(p("/usr/bin/ping")).xattrs().get("security.capability"))
        .as("another instance reads it from the disk, not from an overlay").containsExactly(CAP_NET_RAW_EP);
  }

  @Test
  void xattrsTheDiskRefusesAreKeptInTheOverlayAndSurviveASaveAndLoad() throws Exception {
    root.createSymlink(p("/l"), "usr");
    // Linux has no user.* attributes on symlinks: the overlay keeps this one.
    root.setXattr(p("/l"), "user.note", new byte[] {1, 0, 0, 2});
    Path dir = Scratch.create("overlay-file");
    try {
      Path file = dir.resolve("rootfs.meta");
      assertThat(root.saveMetadataOverlay(file)).isEqualTo(1);
      RootFs again = RootFs.at(root.root());
      assertThat(again.metadata(p("/l")).xattrs()).isEmpty();
      again.loadMetadataOverlay(file);
      assertThat(again.metadata(p("/l")).xattrs().get("user.note")).containsExactly(1, 0, 0, 2);
    } finally {
      Scratch.delete(dir);
    }
  }
}
