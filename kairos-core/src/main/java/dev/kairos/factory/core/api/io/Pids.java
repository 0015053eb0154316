package dev.kairos.factory.core.api.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Whether the process a temporary file or directory names still runs; and the sweep of dead ones' leftovers. */
final class Pids {
  private Pids() {}

  /** Removes a leftover. */
  interface Remover {
    void remove(Path p) throws IOException;
  }

  /**
   * Removes the entries of {@code dir} whose name matches {@code name} (group 1: a pid), that are
   * of the right {@code kind}, and whose process is gone; returns them.
   */
  static List<Path> sweep(Path dir, Pattern name, Predicate<Path> kind, Remover remover) throws IOException {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return removed;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        Matcher m = name.matcher(p.getFileName().toString());
        if (m.matches() && kind.test(p) && !alive(m.group(1))) {
          remover.remove(p);
          removed.add(p);
        }
      }
    }
    return removed;
  }

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
