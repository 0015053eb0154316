package dev.kairos.factory.core.api;

import java.util.List;

/**
 * A command run inside (or for) the image exited non-zero or timed out. Carries the command line,
 * the exit code ({@code -1} for a timeout or a kill) and the tail of its combined output.
 */
public class CommandFailedException extends KairosException {
  private static final long serialVersionUID = 1L;
  /** The command line. */
  private final List<String> command;
  /** The exit code, -1 when stopped. */
  private final int exitCode;
  /** Whether it ran out of time. */
  private final boolean timedOut;
  /** The last lines of its output. */
  private final String outputTail;

  /** A failure of {@code command}; the message shows the command, the exit code and the output's tail. */
  public CommandFailedException(List<String> command, int exitCode, boolean timedOut, String outputTail) {
    super(describe(command, exitCode, timedOut, outputTail));
    this.command = List.copyOf(command);
    this.exitCode = exitCode;
    this.timedOut = timedOut;
    this.outputTail = outputTail;
  }

  private static String describe(List<String> command, int exitCode, boolean timedOut, String tail) {
    String head = timedOut
        ? "command timed out: " + String.join(" ", command)
        : "command failed with exit code " + exitCode + ": " + String.join(" ", command);
    return tail.isBlank() ? head : head + "\n--- last output ---\n" + tail.stripTrailing();
  }

  /** The command line that failed, program first. */
  public List<String> command() {
    return command;
  }

  /** The exit code, or -1 when the command was stopped (timeout, interrupt). */
  public int exitCode() {
    return exitCode;
  }

  /** True if the command was stopped because it ran past its timeout. */
  public boolean timedOut() {
    return timedOut;
  }

  /** The last lines of the command's combined stdout and stderr. */
  public String outputTail() {
    return outputTail;
  }
}
