package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Runners;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Facts about the machine the CLI runs on. */
public final class Host {
  private Host() {}

  /** Whether this process runs as root (needed for chroot, debootstrap, real ownership). */
  public static boolean isRoot() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** {@code uid N, NAME} of this process, for messages. */
  static String who() {
    try {
      return "uid " + Files.getAttribute(Path.of("/proc/self"), "unix:uid") + ", " + System.getProperty("user.name", "?");
    } catch (IOException | UnsupportedOperationException e) {
      return System.getProperty("user.name", "?");
    }
  }

  /** The chroot runner when we may chroot; none otherwise (checks that need it are then skipped). */
  static Optional<CommandRunner> chrootIfRoot() {
    return isRoot() ? Optional.of(Runners.chroot()) : Optional.empty();
  }
}
