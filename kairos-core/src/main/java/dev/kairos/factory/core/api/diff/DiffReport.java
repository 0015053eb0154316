package dev.kairos.factory.core.api.diff;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The answer of a comparison: what was compared and the differences found, sorted by place and
 * field. Identical inputs give an empty list. Immutable.
 */
public final class DiffReport {
  private final String kind;
  private final List<Difference> differences;

  private DiffReport(String kind, List<Difference> differences) {
    this.kind = Objects.requireNonNull(kind, "kind");
    List<Difference> sorted = new ArrayList<>(differences);
    Collections.sort(sorted);
    this.differences = List.copyOf(sorted);
  }

  /** A report on two inputs of {@code kind} ({@code root}, {@code disk}, {@code iso}, {@code oci}, ...). */
  public static DiffReport of(String kind, List<Difference> differences) {
    return new DiffReport(kind, differences);
  }

  /** What was compared: {@code root}, {@code disk}, {@code iso}, {@code oci} or {@code file}. */
  public String kind() {
    return kind;
  }

  /** Whether nothing differs. */
  public boolean identical() {
    return differences.isEmpty();
  }

  /** The differences, sorted by place, then field. */
  public List<Difference> differences() {
    return differences;
  }

  /**
   * The differences one a line, at most {@code limit} of them and a count of the rest, or
   * {@code identical} when there are none: what a person reads when two builds differ.
   */
  public String explain(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    if (differences.isEmpty()) {
      return kind + ": identical";
    }
    StringBuilder b = new StringBuilder(kind).append(": ").append(differences.size())
        .append(differences.size() == 1 ? " difference" : " differences");
    for (Difference d : differences.subList(0, Math.min(limit, differences.size()))) {
      b.append("\n  ").append(d);
    }
    if (differences.size() > limit) {
      b.append("\n  ... and ").append(differences.size() - limit).append(" more");
    }
    return b.toString();
  }

  /** {@link #explain(int)} with a limit of 100. */
  @Override
  public String toString() {
    return explain(100);
  }
}
