package dev.kairos.factory.core.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The host's processes as {@code /proc} lists them, for tests that must show a process of an
 * image is gone: give the command a marker argument no other process has (a random number of
 * seconds to sleep) and look for it here.
 */
public final class HostProcesses {
  private HostProcesses() {}

  /** A number of seconds to sleep that no other process on the host sleeps: a marker to find it by. */
  public static String marker() {
    return Long.toString(100_000 + ThreadLocalRandom.current().nextLong(1_000_000_000L));
  }

  /** Waits up to 30 s until a process with {@code argument} runs; returns the pids found. */
  public static List<Long> awaitArgument(String argument) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<Long> found = withArgument(argument);
    while (found.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      found = withArgument(argument);
    }
    return found;
  }

  /** The pids of live processes one of whose arguments is exactly {@code argument}; zombies excluded. */
  public static List<Long> withArgument(String argument) throws IOException {
    List<Long> found = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try {
          String state = Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8);
          if (state.substring(state.lastIndexOf(')') + 2).startsWith("Z")) {
            continue;
          }
          for (String arg : Files.readString(proc.resolve("cmdline"), StandardCharsets.UTF_8).split("\0")) {
            if (arg.equals(argument)) {
              found.add(Long.parseLong(proc.getFileName().toString()));
              break;
            }
          }
        } catch (IOException | RuntimeException e) {
          // gone meanwhile
        }
      }
    }
    return found;
  }

  /**
   * The pids of live processes whose real uid is in {@code [first, first + count)}: a user
   * namespace's processes on the host run as the ids it maps (a normal user's build: the user's
   * own uid and its subordinate ids). Zombies excluded.
   */
  public static List<Long> ofUids(long first, long count) throws IOException {
    List<Long> found = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try {
          for (String line : Files.readAllLines(proc.resolve("status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("State:") && line.substring(6).trim().startsWith("Z")) {
              break;
            }
            if (line.startsWith("Uid:")) {
              long uid = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
              if (uid >= first && uid < first + count) {
                found.add(Long.parseLong(proc.getFileName().toString()));
              }
              break;
            }
          }
        } catch (IOException | RuntimeException e) {
          // gone meanwhile
        }
      }
    }
    return found;
  }
}
