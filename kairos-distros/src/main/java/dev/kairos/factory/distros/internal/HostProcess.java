package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.CommandFailedException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program on the host (not in an image), streaming its output lines as events, with a
 * hard timeout: on timeout or interrupt the process and its descendants are killed.
 */
public final class HostProcess {
  private static final int TAIL_LINES = 40;

  private HostProcess() {}

  /**
   * Runs {@code argv} and waits for it.
   *
   * @throws CommandFailedException with the output tail if it exits non-zero or times out
   * @throws InterruptedIOException if the thread is interrupted (the process is killed first)
   */
  public static void run(List<String> argv, Duration timeout, EventListener events) throws IOException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    p.getOutputStream().close();
    Deque<String> tail = new ArrayDeque<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (tail) {
            tail.addLast(line);
            if (tail.size() > TAIL_LINES) {
              tail.removeFirst();
            }
          }
          events.onEvent(new KairosEvent.CommandOutput(argv, line));
        }
      } catch (IOException e) {
        // The stream closes when the process is killed; what was read is kept.
      }
    }, "host-output-" + argv.get(0));
    pump.setDaemon(true);
    pump.start();
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
      pump.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String out;
    synchronized (tail) {
      out = String.join("\n", tail);
    }
    if (!finished || p.exitValue() != 0) {
      throw new CommandFailedException(argv, finished ? p.exitValue() : -1, !finished, out);
    }
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
