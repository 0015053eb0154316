package dev.kairos.factory.boot.internal.host;

import dev.kairos.factory.core.api.CommandFailedException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.run.CommandResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a tool of the build host (not of the image): {@code mksquashfs}, {@code mkfs.ext4},
 * {@code grub-mkimage}. Every run has a timeout, the process tree is killed when it expires or the
 * thread is interrupted, and a failure carries the tail of the tool's output.
 */
public final class HostCommand {
  private static final int TAIL_LINES = 40;

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
    long start = System.nanoTime();
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    Deque<String> tail = new ArrayDeque<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (tail) {
            tail.addLast(line);
            if (tail.size() > TAIL_LINES) {
              tail.removeFirst();
            }
          }
        }
      } catch (IOException e) {
        // the process went away; what was read is kept
      }
    }, "host-" + argv.get(0));
    reader.setDaemon(true);
    reader.start();
    boolean finished;
    try {
      finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      kill(p);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while running " + String.join(" ", argv));
    }
    if (!finished) {
      kill(p);
    }
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String out;
    synchronized (tail) {
      out = String.join("\n", tail);
    }
    CommandResult result = new CommandResult(argv, finished ? p.exitValue() : -1, !finished, out,
        Duration.ofNanos(System.nanoTime() - start));
    return result.requireSuccess();
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
