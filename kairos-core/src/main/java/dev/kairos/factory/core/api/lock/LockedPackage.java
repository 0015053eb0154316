package dev.kairos.factory.core.api.lock;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One package of a {@link Lock}: what is installed in the image, and, when the package manager
 * knows it, the size and SHA-256 of the package file and the repository it came from. A package
 * the image's repositories no longer offer (one that came with the base) has neither.
 *
 * @param name the package name, e.g. {@code curl}
 * @param arch its architecture as the package manager names it, e.g. {@code amd64} or {@code all}
 * @param version the exact version, e.g. {@code 7.88.1-10+deb12u15} or {@code 1:2.38.1-5+deb12u3}
 * @param size the package file's size in bytes, or -1 when not known
 * @param sha256 the package file's SHA-256 (64 lower-case hex digits), empty when not known
 * @param repository where it came from, e.g. {@code http://deb.debian.org/debian}, empty when not known
 */
public record LockedPackage(String name, String arch, String version, long size, Optional<String> sha256,
    Optional<String> repository) implements Comparable<LockedPackage> {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern TOKEN = Pattern.compile("[^\\s]+");

  /**
   * Checks the parts.
   *
   * @throws IllegalArgumentException when a name, arch or version is blank or holds white space, the
   *     size is below -1, or the hash is not 64 lower-case hex digits
   */
  public LockedPackage {
    token("name", name);
    token("arch", arch);
    token("version", version);
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(repository, "repository");
    if (size < -1) {
      throw new IllegalArgumentException("size must be -1 (unknown) or more, got " + size);
    }
    if (sha256.isPresent() && !SHA256.matcher(sha256.get()).matches()) {
      throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got '" + sha256.get() + "'");
    }
    if (repository.isPresent()) {
      token("repository", repository.get());
    }
  }

  /** A package with its file's size, hash and repository. */
  public static LockedPackage of(String name, String arch, String version, long size, String sha256, String repository) {
    return new LockedPackage(name, arch, version, size, Optional.of(sha256), Optional.of(repository));
  }

  /** A package known only by name, architecture and version (e.g. one that came with the base). */
  public static LockedPackage installed(String name, String arch, String version) {
    return new LockedPackage(name, arch, version, -1, Optional.empty(), Optional.empty());
  }

  /** {@code name:arch}, the key a lock holds one package under. */
  public String key() {
    return name + ":" + arch;
  }

  /** Sorted by name, then architecture, then version. */
  @Override
  public int compareTo(LockedPackage o) {
    int c = name.compareTo(o.name);
    if (c == 0) {
      c = arch.compareTo(o.arch);
    }
    return c != 0 ? c : version.compareTo(o.version);
  }

  /** {@code name:arch=version}. */
  @Override
  public String toString() {
    return key() + "=" + version;
  }

  private static void token(String what, String v) {
    Objects.requireNonNull(v, what);
    if (!TOKEN.matcher(v).matches()) {
      throw new IllegalArgumentException(what + " must be non-empty without white space, got '" + v + "'");
    }
  }
}
