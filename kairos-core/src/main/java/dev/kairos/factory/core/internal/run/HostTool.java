package dev.kairos.factory.core.internal.run;

import dev.kairos.factory.core.api.CommandFailedException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.run.ProcessTree;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short host tool ({@code mount}, {@code umount}, {@code tar}) with a hard timeout and
 * collects its combined output. Waiting is not cut short by an interrupt: the tools this runs
 * undo or set up state that must not be left half done. The interrupt is kept for the caller.
 */
public final class HostTool {
  private static final List<String> SYSTEM_DIRS = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");
  /** Output kept (the end of it) for the error of a failing tool; a chatty one may print a lot. */
  private static final int MAX_OUTPUT = 16 * 1024;

  private HostTool() {}

  /** The absolute path of a host program, searched in the usual system directories. */
  public static String find(String program) throws KairosException {
    for (String dir : SYSTEM_DIRS) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new KairosException("host program '" + program + "' not found in " + SYSTEM_DIRS);
  }

  /** Whether {@link #find} would find {@code program}. */
  public static boolean exists(String program) {
    return SYSTEM_DIRS.stream().anyMatch(d -> Files.isExecutable(Path.of(d, program)));
  }

  /**
   * Runs {@code argv} (the program looked up with {@link #find}) and returns its combined output
   * (its last 16 to 32 KiB, for a chatty tool).
   *
   * @throws CommandFailedException if it exits non-zero or outlives {@code timeout} (then it is killed)
   */
  public static String run(Duration timeout, String... argv) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(argv));
    cmd.set(0, find(argv[0]));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    StringBuilder out = new StringBuilder();
    Thread reader = new Thread(() -> drain(p.getInputStream(), out), "host-tool-output");
    reader.setDaemon(true);
    reader.start();
    boolean interrupted = false;
    boolean finished = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (!finished) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          finished = p.waitFor(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (!finished) {
        ProcessTree.kill(p.toHandle());
      }
      joinQuietly(reader);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    String text;
    synchronized (out) {
      text = out.toString();
    }
    if (!finished || p.exitValue() != 0) {
      throw new CommandFailedException(List.of(argv), finished ? p.exitValue() : -1, !finished, text);
    }
    return text;
  }

  private static void drain(InputStream in, StringBuilder out) {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        synchronized (out) {
          out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
          if (out.length() > 2 * MAX_OUTPUT) {
            out.delete(0, out.length() - MAX_OUTPUT);
          }
        }
      }
    } catch (IOException e) {
      // The process is gone; what was read is what there is.
    }
  }

  /** Waits up to five seconds for {@code t}, through interrupts (which are kept for the caller). */
  public static void joinQuietly(Thread t) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    try {
      while (t.isAlive() && System.nanoTime() < deadline) {
        try {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
