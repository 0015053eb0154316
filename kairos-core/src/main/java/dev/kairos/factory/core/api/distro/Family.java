package dev.kairos.factory.core.api.distro;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A family of distributions that share a package format, package names and boot tooling. The
 * {@link #id()} is the exact string written as {@code KAIROS_FAMILY} in {@code /etc/kairos-release}.
 */
public enum Family {
  /** Debian and Ubuntu: dpkg and apt. */
  DEBIAN("debian"),
  /** Fedora, RHEL, Rocky, Alma, CentOS Stream, Oracle Linux: rpm and dnf. */
  REDHAT("redhat"),
  /** openSUSE and SLES: rpm and zypper. */
  SUSE("suse"),
  /** Alpine: apk and OpenRC. */
  ALPINE("alpine"),
  /** Arch Linux: pacman. */
  ARCH("arch"),
  /** Hadron, Kairos' own minimal distribution: no package manager. */
  HADRON("hadron");

  private final String id;

  Family(String id) {
    this.id = id;
  }

  /** The lower-case name Kairos uses, e.g. {@code redhat}. */
  public String id() {
    return id;
  }

  /** All ids, in declaration order, for error messages. */
  public static List<String> ids() {
    return Arrays.stream(values()).map(Family::id).toList();
  }

  /**
   * As {@link #parse}, unchecked: for a name the calling code holds (a constant, a stream
   * element), e.g. {@code Stream.of("x").map(Family::of)}.
   *
   * @throws IllegalArgumentException if no family has that name (the message lists the known ones)
   */
  public static Family of(String id) {
    try {
      return parse(id);
    } catch (UnsupportedTargetException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * The family with this id (case-insensitive).
   *
   * @throws UnsupportedTargetException listing the valid ids
   */
  public static Family parse(String id) throws UnsupportedTargetException {
    String want = id.toLowerCase(Locale.ROOT);
    for (Family f : values()) {
      if (f.id.equals(want)) {
        return f;
      }
    }
    throw new UnsupportedTargetException("family", id, ids());
  }

  @Override
  public String toString() {
    return id;
  }
}
