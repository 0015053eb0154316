package dev.kairos.factory.core.it;

import dev.kairos.factory.core.api.io.MountTable;
import dev.kairos.factory.core.internal.run.HostTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Scratch directories for integration tests that put real roots on disk. Deleting one never
 * crosses into a mount (a leaked bind mount of the host's {@code /dev} under a test root must not
 * cost the host its device nodes): mounts below it are detached first and reported, and the
 * deletion stays on one file system.
 */
public final class Scratch {
  private Scratch() {}

  /** A new empty directory under the JVM's temporary directory. */
  public static Path create(String prefix) throws IOException {
    return Files.createTempDirectory(prefix).toRealPath();
  }

  /**
   * Deletes {@code dir} and everything in it. Returns the mount points that were still present
   * below it (and were detached), so that a test can fail on them; empty when all is well.
   */
  public static List<Path> delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    List<Path> leaked = MountTable.mountsBelow(dir.toRealPath());
    for (int i = leaked.size() - 1; i >= 0; i--) {
      HostTool.run(Duration.ofSeconds(30), "umount", "-l", leaked.get(i).toString());
    }
    // A build's whole work directory takes minutes on a loaded machine's disk.
    HostTool.run(Duration.ofMinutes(10), "rm", "-rf", "--one-file-system", "--", dir.toString());
    return leaked;
  }
}
