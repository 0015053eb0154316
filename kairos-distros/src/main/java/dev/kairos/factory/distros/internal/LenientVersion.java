package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.release.KairosVersion;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A distro release or a kernel version as the package tables and the kernel chooser compare it:
 * a release number, then an optional suffix.
 *
 * <p>The release number is a {@link KairosVersion}: the same grammar (numeric segments, padded
 * with zeros to three, so {@code 24.04} is 24.4.0, {@code 12} is 12.0.0 and Tumbleweed's
 * {@code 20250101} is 20250101.0.0) and the same order, read by the same code. What differs, and
 * why this type exists beside it: distros do not write semver suffixes. The suffix may follow
 * without a {@code -} ({@code 15.5beta}), may hold what semver does not ({@code 6.1.0-18-amd64},
 * {@code 5.14.0-362.24.1.el9}), and is compared in {@link NaturalOrder} (digit runs as numbers,
 * so ABI 18 comes after ABI 9), where a Kairos version's pre-release would refuse such text. As
 * with semver, a version with a suffix sorts before the same one without.
 */
record LenientVersion(KairosVersion release, String suffix) implements Comparable<LenientVersion> {
  private static final Pattern FORMAT = Pattern.compile(
      "(v?[0-9]+(?:\\.[0-9]+)*)(?:-?([0-9A-Za-z~-]+(?:\\.[0-9A-Za-z~-]+)*))?(?:\\+[0-9A-Za-z~.-]+)?");

  /** The version, or empty if {@code text} is not one (e.g. blank, as on Arch). */
  static Optional<LenientVersion> parse(String text) {
    Matcher m = FORMAT.matcher(text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    String suffix = m.group(2) == null ? "" : m.group(2);
    return KairosVersion.tryParse(m.group(1)).map(r -> new LenientVersion(r, suffix));
  }

  @Override
  public int compareTo(LenientVersion o) {
    int c = release.compareTo(o.release);
    if (c != 0) {
      return c;
    }
    if (suffix.isEmpty() || o.suffix.isEmpty()) {
      return Boolean.compare(suffix.isEmpty(), o.suffix.isEmpty());
    }
    return NaturalOrder.INSTANCE.compare(suffix, o.suffix);
  }
}
