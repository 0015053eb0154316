package dev.kairos.factory.core.api.io;

/** Whether the process a temporary or lock file names still runs. */
final class Pids {
  private Pids() {}

  /** The current JVM's pid. */
  static long self() {
    return ProcessHandle.current().pid();
  }

  /**
   * Whether {@code pid} (decimal) is a running process. An unparsable pid counts as alive, so that
   * a name we cannot read is never taken for a dead run's leftover.
   */
  static boolean alive(String pid) {
    try {
      return alive(Long.parseLong(pid));
    } catch (NumberFormatException e) {
      return true;
    }
  }

  static boolean alive(long pid) {
    return pid == self() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
