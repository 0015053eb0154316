package dev.kairos.factory.core.api.release;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of a Kairos image, as {@code kairos-init --version} takes it: an optional lower-case
 * {@code v}, one or more dot-separated numeric segments, an optional {@code -prerelease} and an
 * optional {@code +metadata}. It is written normalised: segments as plain integers, padded to
 * three, always with a leading {@code v} (the upgrade checker needs it).
 *
 * <pre>{@code
 * KairosVersion.parse("1.0").toString();              // "v1.0.0"
 * KairosVersion.parse("01.02.3").toString();          // "v1.2.3"
 * KairosVersion.parse("v0.17.3-1-gccd9c89").toString(); // "v0.17.3-1-gccd9c89"
 * KairosVersion.parse("latest");                       // IllegalArgumentException
 * }</pre>
 */
public final class KairosVersion implements Comparable<KairosVersion> {
  // Anchored; a pre-release needs its '-' separator, and either starts with a digit or a letter run.
  private static final Pattern RULE = Pattern.compile(
      "v?([0-9]+(?:\\.[0-9]+)*?)"
          + "(?:-([0-9]+[0-9A-Za-z\\-~]*(?:\\.[0-9A-Za-z\\-~]+)*|[A-Za-z\\-~]+[0-9A-Za-z\\-~]*(?:\\.[0-9A-Za-z\\-~]+)*))?"
          + "(?:\\+([0-9A-Za-z\\-~]+(?:\\.[0-9A-Za-z\\-~]+)*))?");

  private final List<Long> segments;
  private final String prerelease;
  private final String metadata;

  private KairosVersion(List<Long> segments, String prerelease, String metadata) {
    this.segments = List.copyOf(segments);
    this.prerelease = prerelease;
    this.metadata = metadata;
  }

  /**
   * Parses {@code text} by the rule above.
   *
   * @throws IllegalArgumentException with the offending text when it does not follow the rule
   */
  public static KairosVersion parse(String text) {
    Objects.requireNonNull(text, "version");
    return tryParse(text).orElseThrow(() -> new IllegalArgumentException(
        "malformed version: '" + text + "' (expected semver such as v1.0.0, 1.2, 1.2.3-rc1+build.5)"));
  }

  /** Parses {@code text}, or empty when it does not follow the rule. */
  public static Optional<KairosVersion> tryParse(String text) {
    Matcher m = RULE.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    List<Long> segs = new ArrayList<>();
    for (String s : m.group(1).split("\\.")) {
      try {
        segs.add(Long.parseLong(s));
      } catch (NumberFormatException e) {
        return Optional.empty(); // a segment that does not fit in 64 bits
      }
    }
    while (segs.size() < 3) {
      segs.add(0L);
    }
    return Optional.of(new KairosVersion(segs, nullToEmpty(m.group(2)), nullToEmpty(m.group(3))));
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /** The numeric segments, at least three. */
  public List<Long> segments() {
    return segments;
  }

  /** The pre-release part without its {@code -}, or empty. */
  public String prerelease() {
    return prerelease;
  }

  /** The build metadata without its {@code +}, or empty. */
  public String metadata() {
    return metadata;
  }

  /** The normalised form, {@code v}-prefixed: what goes into {@code KAIROS_VERSION}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("v");
    for (int i = 0; i < segments.size(); i++) {
      b.append(i == 0 ? "" : ".").append(segments.get(i));
    }
    if (!prerelease.isEmpty()) {
      b.append('-').append(prerelease);
    }
    if (!metadata.isEmpty()) {
      b.append('+').append(metadata);
    }
    return b.toString();
  }

  /** Semver precedence: segments numerically, a pre-release before its release; metadata is ignored. */
  @Override
  public int compareTo(KairosVersion o) {
    int n = Math.max(segments.size(), o.segments.size());
    for (int i = 0; i < n; i++) {
      long a = i < segments.size() ? segments.get(i) : 0;
      long b = i < o.segments.size() ? o.segments.get(i) : 0;
      if (a != b) {
        return Long.compare(a, b);
      }
    }
    if (prerelease.isEmpty() || o.prerelease.isEmpty()) {
      return Boolean.compare(prerelease.isEmpty(), o.prerelease.isEmpty());
    }
    return prerelease.compareTo(o.prerelease);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KairosVersion && toString().equals(o.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
