package dev.kairos.factory.core.api.run;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops a host process with everything it started, for code that starts its own helpers (a
 * credential helper, a host tool) and must not leave them running on a timeout or an interrupt.
 * Commands in an image need none of this: their runner starts them in a PID namespace of their
 * own, which the kernel empties when its first process dies.
 */
public final class ProcessTree {
  private static final int ROUNDS = 10;

  private ProcessTree() {}

  /**
   * Kills {@code process} and all its descendants with SIGKILL. The descendants are listed before
   * anything is killed (once a parent dies its children move to init and cannot be found from it),
   * and the listing is repeated, a bounded number of times, for children forked meanwhile. Parents
   * are killed before their children, so that no shell lives to report a child's death ("Killed")
   * into the output.
   */
  public static void kill(ProcessHandle process) {
    for (int round = 0; round < ROUNDS; round++) {
      List<ProcessHandle> all = parentsFirst(process);
      boolean anyAlive = false;
      for (ProcessHandle h : all) {
        if (h.isAlive()) {
          anyAlive = true;
          h.destroyForcibly();
        }
      }
      if (!anyAlive) {
        return;
      }
      awaitExit(process, 200);
    }
  }

  /** {@code process} and its descendants, breadth first: every parent before its children. */
  private static List<ProcessHandle> parentsFirst(ProcessHandle process) {
    List<ProcessHandle> all = new ArrayList<>();
    all.add(process);
    for (int i = 0; i < all.size(); i++) {
      all.addAll(all.get(i).children().toList());
    }
    return all;
  }

  /** Waits up to {@code millis} for {@code h} to exit, through interrupts (kept for the caller). */
  private static void awaitExit(ProcessHandle h, long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    boolean interrupted = false;
    while (h.isAlive() && System.nanoTime() < deadline) {
      try {
        h.onExit().get(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (Exception e) {
        break; // still running after the wait, or the handle could not say: the caller checks again
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
