package dev.kairos.factory.boot.internal.squashfs;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.boot.internal.host.HostCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.time.Instant;
import java.util.Random;

/** A small tree with every kind of entry the writers must carry, filled into any rootfs. */
final class SampleTree {
  static final Instant OLD = Instant.parse("2020-01-02T03:04:05Z");
  static final Instant NEW = Instant.parse("2030-01-01T00:00:00Z");

  private SampleTree() {}

  static void fill(RootFs root, int blockSize) throws IOException {
    root.createDirectories(ImagePath.of("/etc/deep/er/still"));
    root.writeString(ImagePath.of("/etc/hostname"), "kairos\n");
    root.write(ImagePath.of("/etc/empty"), new byte[0]);
    root.write(ImagePath.of("/usr/bin/sudo"), bytes(blockSize * 2 + 123, 1, true), 04755);
    root.write(ImagePath.of("/usr/lib/exact"), bytes(blockSize, 2, false));
    root.write(ImagePath.of("/usr/lib/random"), bytes(blockSize * 3 + 7, 3, true));
    root.write(ImagePath.of("/usr/lib/zeros"), new byte[blockSize + 5]);
    root.write(ImagePath.of("/home/user/.profile"), "export A=1\n".getBytes());
    root.setOwner(ImagePath.of("/home/user/.profile"), 1000, 100);
    root.setOwner(ImagePath.of("/home/user"), 1000, 100);
    root.setMode(ImagePath.of("/home/user"), 0700);
    root.createDirectories(ImagePath.of("/tmp"));
    root.setMode(ImagePath.of("/tmp"), 01777);
    root.createSymlink(ImagePath.of("/bin"), "usr/bin");
    root.createSymlink(ImagePath.of("/etc/long-link"), "/" + "x".repeat(300));
    root.createHardlink(ImagePath.of("/usr/bin/sudoedit"), ImagePath.of("/usr/bin/sudo"));
    root.createDirectories(ImagePath.of("/dev"));
    special(root, "/dev/console", FileMetadata.builder(FileType.CHAR_DEVICE).mode(0600).device(5, 1).build());
    special(root, "/dev/sda", FileMetadata.builder(FileType.BLOCK_DEVICE).mode(0660).gid(6).device(8, 300).build());
    special(root, "/dev/initctl", FileMetadata.builder(FileType.FIFO).mode(0600).build());
    root.writeString(ImagePath.of("/etc/deep/er/still/" + "n".repeat(200)), "long name\n");
    root.writeString(ImagePath.of("/etc/with space"), "space\n");
    root.createDirectories(ImagePath.of("/many"));
    for (int i = 0; i < 300; i++) {
      root.writeString(ImagePath.of("/many/f" + i), "file " + i + "\n");
    }
    root.setMtime(ImagePath.of("/etc/hostname"), OLD);
    root.setMtime(ImagePath.of("/usr/bin/sudo"), NEW);
  }

  /**
   * Device nodes and FIFOs: through the overlay in memory; on a real directory with mknod, because
   * setting the mode of a special file through java.nio opens it (a FIFO then blocks).
   */
  private static void special(RootFs root, String path, FileMetadata m) throws IOException {
    if (!root.hasNativeOwnership()) {
      root.createSpecial(ImagePath.of(path), m);
      return;
    }
    String host = root.hostPath(ImagePath.of(path), false).toString();
    String type = m.type() == FileType.FIFO ? "p" : m.type() == FileType.CHAR_DEVICE ? "c" : "b";
    List<String> argv = new ArrayList<>(List.of("mknod", "-m", Integer.toOctalString(m.mode()), host, type));
    if (m.type().isDevice()) {
      argv.add(Integer.toString(m.deviceMajor()));
      argv.add(Integer.toString(m.deviceMinor()));
    }
    HostCommand.run(argv, Duration.ofSeconds(10));
    HostCommand.run(List.of("chown", m.uid() + ":" + m.gid(), host), Duration.ofSeconds(10));
  }

  static byte[] bytes(int n, long seed, boolean random) {
    byte[] b = new byte[n];
    if (random) {
      new Random(seed).nextBytes(b);
    } else {
      for (int i = 0; i < n; i++) {
        b[i] = (byte) ("kairos " + (i / 64)).charAt(i % 7);
      }
    }
    return b;
  }
}
