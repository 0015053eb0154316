package dev.kairos.factory.core.api;

import java.util.List;

/**
 * A command run inside (or for) the image exited non-zero or timed out. Carries the command line,
 * the exit code ({@code -1} for a timeout or a kill) and the tail of its combined output.
 */
public class CommandFailedException extends KairosException {
  private static final long serialVersionUID = 1L;
  private final List<String> command;
  private final int exitCode;
  private final boolean timedOut;
  private final String outputTail;

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

  public List<String> command() {
    return command;
  }

  /** The exit code, or -1 when the command was stopped (timeout, interrupt). */
  public int exitCode() {
    return exitCode;
  }

  public boolean timedOut() {
    return timedOut;
  }

  /** The last lines of the command's combined stdout and stderr. */
  public String outputTail() {
    return outputTail;
  }
}
