package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.io.OwnedDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The work directory of {@code build}: the image's root is unpacked into {@code WORK/rootfs} and
 * left there after the build (so that {@code validate}, {@code build-iso} and friends can be run
 * on it). A new build replaces the root of the previous one; it deletes nothing else, and nothing
 * when a file system is mounted inside the old root or an output of the run lies in it.
 */
final class WorkDirectory {
  /** Where the image's root is left. */
  static final String ROOTFS = "rootfs";

  private WorkDirectory() {}

  /** Claims the work directory for the run (see {@link OwnedDirectory}) and removes a previous {@code rootfs} in it. */
  static OwnedDirectory prepare(RunPaths.Work work, List<Path> outputs) throws IOException {
    OwnedDirectory w = work.claim(outputs.toArray(Path[]::new));
    try {
      w.delete(ROOTFS);
    } catch (IOException | RuntimeException e) {
      w.close();
      throw e;
    }
    return w;
  }
}
