package dev.kairos.factory.core.api.validate;

import dev.kairos.factory.core.api.KairosException;
import java.util.List;

/**
 * Every problem {@link Validator} found, at once: failures make the image not Kairos-ready,
 * warnings are worth a look. Messages start with the check's tag ({@code [BINARIES]},
 * {@code [FILES]}, {@code [RELEASE]}, {@code [DIRS]}, {@code [INITRD]}, {@code [SSH]},
 * {@code [SERVICES]}, {@code [KERNEL]}).
 *
 * @param failures what makes the image not Kairos-ready, one message each
 * @param warnings what is worth a look but does not fail the image
 */
public record ValidationReport(List<String> failures, List<String> warnings) {
  /** Copies both lists. */
  public ValidationReport {
    failures = List.copyOf(failures);
    warnings = List.copyOf(warnings);
  }

  /** True if there are no failures (warnings do not count). */
  public boolean valid() {
    return failures.isEmpty();
  }

  /**
   * Returns this report if it has no failures.
   *
   * @throws KairosException listing every failure, one per line
   */
  public ValidationReport requireValid() throws KairosException {
    if (!valid()) {
      throw new KairosException("the image is not Kairos-ready (" + failures.size() + " failures):\n"
          + String.join("\n", failures));
    }
    return this;
  }

  /** {@code valid} or {@code N failures}, then one {@code FAIL} or {@code WARN} line per message. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(valid() ? "valid" : failures.size() + " failures");
    failures.forEach(f -> b.append("\nFAIL ").append(f));
    warnings.forEach(w -> b.append("\nWARN ").append(w));
    return b.toString();
  }
}
