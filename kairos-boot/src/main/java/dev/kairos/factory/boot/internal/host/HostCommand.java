package dev.kairos.factory.boot.internal.host;

import dev.kairos.factory.core.api.CommandFailedException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.HostProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs a tool of the build host (not of the image): {@code mksquashfs}, {@code mkfs.ext4},
 * {@code grub-mkimage}. Every run has a timeout, the process tree is killed when it expires or the
 * thread is interrupted, and a failure carries the tail of the tool's output.
 */
public final class HostCommand {
  private HostCommand() {}

  /** Whether {@code program} is an executable on the host's {@code PATH} (or an absolute path to one). */
  public static boolean available(String program) {
    if (program.contains("/")) {
      return Files.isExecutable(Path.of(program));
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code argv} and waits for it; a non-zero exit or a timeout is a
   * {@link CommandFailedException}.
   *
   * @throws KairosException if the program is missing or cannot start
   */
  public static CommandResult run(List<String> argv, Duration timeout) throws IOException {
    if (!available(argv.get(0))) {
      throw new KairosException("host tool '" + argv.get(0) + "' is not installed (needed for: " + String.join(" ", argv) + ")");
    }
    // The C locale keeps tool output (parsed by some callers) the same on every host.
    return HostProcess.run(argv, Map.of("LC_ALL", "C"), timeout, EventListener.NONE);
  }
}
