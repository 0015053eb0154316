package dev.kairos.factory.distros.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A distro release as the package tables compare it: leading numeric segments (any number,
 * padded with zeros to three, so {@code 24.04} is 24.4.0, {@code 12} is 12.0.0 and Tumbleweed's
 * {@code 20250101} is 20250101.0.0) and an optional pre-release, which sorts before the release.
 */
record LenientVersion(List<Long> segments, String preRelease) implements Comparable<LenientVersion> {
  private static final Pattern FORMAT = Pattern.compile(
      "v?([0-9]+(?:\\.[0-9]+)*)(?:-?([0-9A-Za-z~-]+(?:\\.[0-9A-Za-z~-]+)*))?(?:\\+[0-9A-Za-z~.-]+)?");

  LenientVersion {
    segments = List.copyOf(segments);
  }

  /** The version, or empty if {@code text} is not one (e.g. blank, as on Arch). */
  static Optional<LenientVersion> parse(String text) {
    Matcher m = FORMAT.matcher(text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    List<Long> segs = new ArrayList<>();
    for (String s : m.group(1).split("\\.")) {
      try {
        segs.add(Long.parseLong(s));
      } catch (NumberFormatException e) {
        return Optional.empty(); // more digits than a long holds
      }
    }
    while (segs.size() < 3) {
      segs.add(0L);
    }
    return Optional.of(new LenientVersion(segs, m.group(2) == null ? "" : m.group(2)));
  }

  @Override
  public int compareTo(LenientVersion o) {
    int n = Math.max(segments.size(), o.segments.size());
    for (int i = 0; i < n; i++) {
      int c = Long.compare(i < segments.size() ? segments.get(i) : 0, i < o.segments.size() ? o.segments.get(i) : 0);
      if (c != 0) {
        return c;
      }
    }
    if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
      return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
    }
    return NaturalOrder.INSTANCE.compare(preRelease, o.preRelease);
  }
}
