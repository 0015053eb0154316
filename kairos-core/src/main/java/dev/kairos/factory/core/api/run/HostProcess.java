package dev.kairos.factory.core.api.run;

import dev.kairos.factory.core.api.CommandFailedException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.internal.run.HostTool;
import dev.kairos.factory.core.internal.run.OutputPump;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a long program of the build host (not of the image): debootstrap, mksquashfs, mkfs.ext4,
 * grub-mkimage. Output lines go to {@code events} as they come, the last lines are kept for the
 * error, and on timeout or interrupt the whole process tree is killed ({@link ProcessTree}). An
 * interrupt stops the wait: these programs build something new, they undo nothing.
 *
 * <pre>{@code
 * CommandResult r = HostProcess.run(List.of("mksquashfs", dir, out, "-noappend"),
 *     Map.of("LC_ALL", "C"), Duration.ofMinutes(10), events);   // throws if it fails
 * }</pre>
 */
public final class HostProcess {
  private HostProcess() {}

  /**
   * Runs {@code argv} with {@code env} added to this process's environment and standard input
   * closed, and waits for it.
   *
   * @throws CommandFailedException with the output tail if it exits non-zero or times out
   * @throws InterruptedIOException if the thread is interrupted (the process is killed first)
   */
  public static CommandResult run(List<String> argv, Map<String, String> env, Duration timeout, EventListener events)
      throws IOException {
    long start = System.nanoTime();
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    OutputPump pump = new OutputPump(p.getInputStream(), line -> events.onEvent(new KairosEvent.CommandOutput(argv, line)));
    Thread reader = pump.start("host-output-" + argv.get(0));
    boolean finished;
    try {
      finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      ProcessTree.kill(p.toHandle());
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while running " + String.join(" ", argv));
    }
    if (!finished) {
      ProcessTree.kill(p.toHandle());
    }
    HostTool.joinQuietly(reader);
    pump.rethrowConsumerFailure();
    return new CommandResult(argv, finished ? p.exitValue() : -1, !finished, pump.tail(),
        Duration.ofNanos(System.nanoTime() - start)).requireSuccess();
  }
}
