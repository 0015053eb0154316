package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.core.api.io.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CLI's work directory: the image's root is unpacked into {@code WORK/rootfs} and left there
 * after the build (so that {@code validate}, {@code build-iso} and friends can be run on it). A
 * new build replaces the root of the previous one, never while something is mounted inside it.
 */
final class WorkDirectory {
  private WorkDirectory() {}

  /** Creates {@code work} and removes a previous {@code rootfs} in it; returns {@code work}. */
  static Path prepare(Path work, Path rootfs) throws IOException {
    Files.createDirectories(work);
    if (Files.exists(rootfs)) {
      refuseIfMounted(rootfs);
      ScratchDirectory.deleteTree(rootfs);
    }
    return work;
  }

  /** Fails if anything is mounted at or under {@code dir}: deleting it would reach the mounted file system. */
  static void refuseIfMounted(Path dir) throws IOException {
    if (!Files.isReadable(Path.of("/proc/self/mountinfo"))) {
      return;
    }
    Path real = dir.toRealPath();
    for (Path point : MountTable.mountPoints()) {
      if (point.startsWith(real)) {
        throw new KairosException(dir + ": " + point + " is mounted inside the previous root; unmount it first");
      }
    }
  }
}
