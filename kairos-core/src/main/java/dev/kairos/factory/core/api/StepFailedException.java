package dev.kairos.factory.core.api;

import java.util.Optional;

/**
 * A build step failed. The step's name is carried as data; the cause (often a
 * {@link CommandFailedException}) says what went wrong inside it. The message also says in which
 * state the root file system was left.
 */
public class StepFailedException extends KairosException {
  private static final long serialVersionUID = 1L;
  /** The step's {@code steps-info} name. */
  private final String step;

  /**
   * @param step the name of the step, as {@code steps-info} prints it
   * @param message what failed, including the state the root file system was left in
   * @param cause what went wrong inside the step, often a {@link CommandFailedException}
   */
  public StepFailedException(String step, String message, Throwable cause) {
    super("step " + step + " failed: " + message, cause);
    this.step = step;
  }

  /** The name of the step, as {@code steps-info} prints it. */
  public String step() {
    return step;
  }

  /** The failed command, when a command is what failed. */
  public Optional<CommandFailedException> command() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof CommandFailedException) {
        return Optional.of((CommandFailedException) t);
      }
    }
    return Optional.empty();
  }
}
