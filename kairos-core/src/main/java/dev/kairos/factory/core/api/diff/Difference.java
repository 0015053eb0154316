package dev.kairos.factory.core.api.diff;

import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * One difference between two inputs: where (a file's path, or a place in a structure such as
 * {@code gpt/partition[2]} or {@code partition[oem]/ext2}), which field ({@code content},
 * {@code mode}, {@code uid}, {@code mtime}, {@code xattr:user.x}, {@code disk-guid}, ...) and the
 * value on each side; a side is empty when the thing is absent there.
 */
public final class Difference implements Comparable<Difference> {
  private static final Comparator<Difference> ORDER = Comparator.comparing(Difference::where)
      .thenComparing(Difference::field);

  private final String where;
  private final String field;
  private final String left;
  private final String right;

  private Difference(String where, String field, String left, String right) {
    this.where = Objects.requireNonNull(where, "where");
    this.field = Objects.requireNonNull(field, "field");
    this.left = left;
    this.right = right;
    if (Objects.equals(left, right)) {
      throw new IllegalArgumentException("not a difference: " + where + " " + field + " is " + left + " on both sides");
    }
  }

  /**
   * A difference of {@code field} at {@code where}; {@code null} for a side where it is absent.
   *
   * @throws IllegalArgumentException if both sides are equal
   */
  public static Difference of(String where, String field, String left, String right) {
    return new Difference(where, field, left, right);
  }

  /** The file path or the place in a structure. */
  public String where() {
    return where;
  }

  /** The field that differs ({@code present} when the thing exists on one side only). */
  public String field() {
    return field;
  }

  /** The value in the first input, empty where it is absent. */
  public Optional<String> left() {
    return Optional.ofNullable(left);
  }

  /** The value in the second input, empty where it is absent. */
  public Optional<String> right() {
    return Optional.ofNullable(right);
  }

  /** Orders by place, then field. */
  @Override
  public int compareTo(Difference o) {
    return ORDER.compare(this, o);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Difference d && where.equals(d.where) && field.equals(d.field) && Objects.equals(left, d.left)
        && Objects.equals(right, d.right);
  }

  @Override
  public int hashCode() {
    return Objects.hash(where, field, left, right);
  }

  /** One line: {@code where: field left -> right} ({@code (absent)} for a missing side). */
  @Override
  public String toString() {
    return where + ": " + field + " " + (left == null ? "(absent)" : left) + " -> " + (right == null ? "(absent)" : right);
  }
}
