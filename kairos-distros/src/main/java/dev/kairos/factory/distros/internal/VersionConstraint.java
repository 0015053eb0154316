package dev.kairos.factory.distros.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version constraint of the package tables: {@code always}, or alternatives joined by
 * {@code ||}, each a comma-separated conjunction of {@code [op]version} with op one of
 * {@code = != > < >= <=} (no op means equal).
 */
final class VersionConstraint {
  private static final Pattern TERM = Pattern.compile("\\s*(=|!=|>=|<=|>|<)?\\s*(\\S+)\\s*");

  private record Term(String op, LenientVersion version) {
    boolean test(LenientVersion v) {
      int c = v.compareTo(version);
      return switch (op) {
        case "=" -> c == 0;
        case "!=" -> c != 0;
        case ">" -> c > 0;
        case "<" -> c < 0;
        case ">=" -> c >= 0;
        case "<=" -> c <= 0;
        default -> throw new IllegalStateException(op);
      };
    }
  }

  private final String text;
  private final List<List<Term>> alternatives; // empty means "always"

  private VersionConstraint(String text, List<List<Term>> alternatives) {
    this.text = text;
    this.alternatives = alternatives;
  }

  /**
   * Parses a constraint.
   *
   * @throws IllegalArgumentException echoing the text if it is malformed
   */
  static VersionConstraint parse(String text) {
    if (text.strip().equals("always")) {
      return new VersionConstraint(text, List.of());
    }
    List<List<Term>> alts = new ArrayList<>();
    for (String alt : text.split("\\|\\|")) {
      List<Term> terms = new ArrayList<>();
      for (String t : alt.split(",")) {
        Matcher m = TERM.matcher(t);
        LenientVersion v = m.matches() ? LenientVersion.parse(m.group(2)).orElse(null) : null;
        if (v == null) {
          throw new IllegalArgumentException("bad version constraint '" + text + "' (at '" + t.strip() + "')");
        }
        terms.add(new Term(m.group(1) == null ? "=" : m.group(1), v));
      }
      alts.add(List.copyOf(terms));
    }
    return new VersionConstraint(text, List.copyOf(alts));
  }

  /** Whether {@code version} satisfies the constraint ({@code always} holds for any version). */
  boolean test(LenientVersion version) {
    return alternatives.isEmpty() || alternatives.stream().anyMatch(a -> a.stream().allMatch(t -> t.test(version)));
  }

  @Override
  public String toString() {
    return text;
  }
}
