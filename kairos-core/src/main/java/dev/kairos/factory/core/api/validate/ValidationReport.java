package dev.kairos.factory.core.api.validate;

import dev.kairos.factory.core.api.KairosException;
import java.util.List;

/**
 * Every problem {@link Validator} found, at once: failures make the image not Kairos-ready,
 * warnings are worth a look. Messages start with the check's tag ({@code [BINARIES]},
 * {@code [FILES]}, {@code [RELEASE]}, {@code [DIRS]}, {@code [INITRD]}, {@code [SSH]},
 * {@code [SERVICES]}, {@code [KERNEL]}).
 */
public record ValidationReport(List<String> failures, List<String> warnings) {
  public ValidationReport {
    failures = List.copyOf(failures);
    warnings = List.copyOf(warnings);
  }

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

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(valid() ? "valid" : failures.size() + " failures");
    failures.forEach(f -> b.append("\nFAIL ").append(f));
    warnings.forEach(w -> b.append("\nWARN ").append(w));
    return b.toString();
  }
}
