package dev.kairos.factory.core.internal.run;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Stops a process with everything it started. */
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

  /**
   * Kills every process whose root directory is {@code hostRoot} or below it: the daemons a
   * package script started inside the image, which left the tree of the command. Returns their
   * pids. Reads {@code /proc/PID/root}; processes of other users are visible to root only, which
   * is what the chroot runner runs as.
   */
  static List<Long> killRootedIn(Path hostRoot) {
    List<Long> killed = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        long pid;
        try {
          pid = Long.parseLong(proc.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        if (pid == self || !rootedIn(proc, hostRoot)) {
          continue;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent() && h.get().destroyForcibly()) {
          killed.add(pid);
        }
      }
    } catch (IOException e) {
      // No /proc: nothing can be found, and nothing was chrooted by us either.
    }
    for (long pid : killed) {
      ProcessHandle.of(pid).ifPresent(h -> awaitExit(h, 2_000));
    }
    return killed;
  }

  private static boolean rootedIn(Path proc, Path hostRoot) {
    try {
      Path root = Files.readSymbolicLink(proc.resolve("root"));
      return root.startsWith(hostRoot);
    } catch (IOException | UnsupportedOperationException e) {
      return false; // gone meanwhile, or a kernel thread
    }
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
