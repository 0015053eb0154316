package dev.kairos.factory.core.api.run;

import dev.kairos.factory.core.api.CommandFailedException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a command ended: its exit code ({@code -1} if it was stopped), whether it timed out, the
 * last lines of its combined output and how long it took.
 *
 * @param command the command's argument vector
 * @param exitCode the exit code, or -1 if it was stopped
 * @param timedOut whether it ran past its timeout and was stopped
 * @param outputTail the last lines of its combined standard output and error
 * @param took how long it ran
 */
public record CommandResult(List<String> command, int exitCode, boolean timedOut, String outputTail, Duration took) {
  /** Copies the command. */
  public CommandResult {
    command = List.copyOf(command);
    Objects.requireNonNull(outputTail, "outputTail");
    Objects.requireNonNull(took, "took");
  }

  /** Whether the command exited 0 and did not time out. */
  public boolean succeeded() {
    return exitCode == 0 && !timedOut;
  }

  /** Returns this result if the command succeeded, else throws a {@link CommandFailedException} with its data. */
  public CommandResult requireSuccess() throws CommandFailedException {
    if (!succeeded()) {
      throw new CommandFailedException(command, exitCode, timedOut, outputTail);
    }
    return this;
  }
}
