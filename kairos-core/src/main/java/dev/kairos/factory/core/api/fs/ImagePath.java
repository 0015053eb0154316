package dev.kairos.factory.core.api.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * An absolute, normalised path inside an image, such as {@code /etc/kairos-release}. It is a
 * different type from {@link java.nio.file.Path} on purpose: an in-image path is never resolved
 * against the host's file system by accident.
 *
 * <p>Normalisation is lexical: repeated and trailing slashes are dropped, {@code .} is removed and
 * {@code ..} removes the previous component; {@code ..} at the root stays at the root, as in a
 * chroot. Relative input is taken relative to {@code /}. Symlinks are resolved by {@link RootFs},
 * not here.
 *
 * <pre>{@code
 * ImagePath p = ImagePath.of("etc//kairos/../os-release");   // "/etc/os-release"
 * p.parent();                                                 // "/etc"
 * p.resolve("x/y");                                           // "/etc/os-release/x/y"
 * }</pre>
 */
public final class ImagePath implements Comparable<ImagePath> {
  /** The root directory, {@code /}. */
  public static final ImagePath ROOT = new ImagePath(List.of());

  private final List<String> names;

  private ImagePath(List<String> names) {
    this.names = names;
  }

  /**
   * Parses and normalises a path. {@code "etc/hosts"}, {@code "/etc/hosts"} and
   * {@code "/etc/./x/../hosts/"} all give {@code /etc/hosts}.
   *
   * @throws IllegalArgumentException if the path contains a NUL character
   */
  public static ImagePath of(String path) {
    if (path == null) {
      throw new IllegalArgumentException("path must not be null");
    }
    if (path.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("path contains a NUL character: " + path.replace('\0', '?'));
    }
    return ROOT.resolve(path);
  }

  /** Joins the components of {@code first} and {@code more} with {@code /} and parses them. */
  public static ImagePath of(String first, String... more) {
    StringBuilder b = new StringBuilder(first);
    for (String m : more) {
      b.append('/').append(m);
    }
    return of(b.toString());
  }

  /**
   * Resolves {@code relative} against this path lexically. An absolute argument is taken relative
   * to the root, as it would be inside a chroot.
   */
  public ImagePath resolve(String relative) {
    if (relative.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("path contains a NUL character: " + relative.replace('\0', '?'));
    }
    List<String> out = new ArrayList<>(relative.startsWith("/") ? List.of() : names);
    for (String part : relative.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
        continue;
      }
      out.add(part);
    }
    return new ImagePath(Collections.unmodifiableList(out));
  }

  /** The parent directory; the root is its own parent. */
  public ImagePath parent() {
    return names.isEmpty() ? this : new ImagePath(names.subList(0, names.size() - 1));
  }

  /** The last component, or the empty string for the root. */
  public String fileName() {
    return names.isEmpty() ? "" : names.get(names.size() - 1);
  }

  /** The components, from the root down; empty for the root. */
  public List<String> names() {
    return names;
  }

  /** Whether this is {@code /}, the path with no components. */
  public boolean isRoot() {
    return names.isEmpty();
  }

  /** Whether {@code other} is this path or below it. */
  public boolean contains(ImagePath other) {
    return other.names.size() >= names.size() && other.names.subList(0, names.size()).equals(names);
  }

  /** The path of {@code other} relative to this one, if {@code other} is below it. */
  public Optional<String> relativize(ImagePath other) {
    if (!contains(other)) {
      return Optional.empty();
    }
    return Optional.of(String.join("/", other.names.subList(names.size(), other.names.size())));
  }

  /** The path without its leading slash ({@code etc/hosts}), or {@code .} for the root: archive-entry form. */
  public String toRelativeString() {
    return names.isEmpty() ? "." : String.join("/", names);
  }

  @Override
  public String toString() {
    return "/" + String.join("/", names);
  }

  /**
   * Orders paths component by component, comparing names as UTF-8 bytes: a directory sorts
   * directly before its children, and the order does not depend on the JVM's locale.
   */
  @Override
  public int compareTo(ImagePath o) {
    int n = Math.min(names.size(), o.names.size());
    for (int i = 0; i < n; i++) {
      int c = compareNames(names.get(i), o.names.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(names.size(), o.names.size());
  }

  /** Compares two file names as unsigned UTF-8 bytes, the order {@code LC_ALL=C sort} uses. */
  public static int compareNames(String a, String b) {
    return java.util.Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImagePath && ((ImagePath) o).names.equals(names);
  }

  @Override
  public int hashCode() {
    return names.hashCode();
  }
}
