package dev.kairos.factory.core.api;

import java.util.Objects;

/**
 * A build option, or a combination of options, that cannot work: a model for another
 * architecture, FIPS on riscv64, a provider without its binaries, a missing version. It names the
 * option at fault and carries what a fix needs, so that a front end (the command line) can say
 * which of its flags to change and how, in its own spelling; the message gives the fix in Java.
 */
public final class InvalidOptionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  /** The option at fault. */
  private final BuildOptions.Option option;
  /** What is wrong, without a fix. */
  private final String problem;
  /** What the fix needs, or "". */
  private final String needed;

  /**
   * @param option the option at fault
   * @param problem what is wrong, without a fix
   * @param needed what the fix needs (the architecture a model requires, the provider's name), or ""
   * @param javaFix how to fix it with the library's API, or ""
   */
  public InvalidOptionException(BuildOptions.Option option, String problem, String needed, String javaFix) {
    super(problem + (javaFix.isEmpty() ? "" : "; " + javaFix));
    this.option = Objects.requireNonNull(option, "option");
    this.problem = Objects.requireNonNull(problem, "problem");
    this.needed = Objects.requireNonNull(needed, "needed");
  }

  /** The option at fault. */
  public BuildOptions.Option option() {
    return option;
  }

  /** What is wrong, without the fix. */
  public String problem() {
    return problem;
  }

  /** What the fix needs: for {@link BuildOptions.Option#MODEL} the architecture id, for {@link BuildOptions.Option#PROVIDERS} the provider's name; else "". */
  public String needed() {
    return needed;
  }
}
