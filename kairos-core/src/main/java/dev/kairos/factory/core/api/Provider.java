package dev.kairos.factory.core.api;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A Kubernetes provider to bundle (a {@code standard} image): its name, the exact upstream version,
 * an optional configuration file and where its binaries come from. The version is checked at once:
 * k3s and k0s need their full upstream tag ({@code v1.31.1+k3s1}, {@code v1.32.1+k0s.0}), a bare
 * {@code v1.31.1} is refused (the public provider fails on it late, after a long build).
 *
 * <pre>{@code
 * Provider.k3s("v1.31.1+k3s1").withConfig(Path.of("k3s.yaml")).from(FrameworkSource.directory(Path.of("k3s-root")));
 * Provider.k0s("1.32.1+k0s.0");   // normalised to v1.32.1+k0s.0
 * Provider.k3s("v1.31.1");        // IllegalArgumentException: needs the +k3sN suffix
 * }</pre>
 */
public final class Provider {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
  private static final Pattern K3S = Pattern.compile("v?[0-9]+\\.[0-9]+\\.[0-9]+(-rc[0-9]+)?\\+k3s[0-9]+");
  private static final Pattern K0S = Pattern.compile("v?[0-9]+\\.[0-9]+\\.[0-9]+(-rc\\.?[0-9]+)?\\+k0s\\.[0-9]+");

  private final String name;
  private final String version;
  private final Optional<Path> config;
  private final FrameworkSource source;

  private Provider(String name, String version, Optional<Path> config, FrameworkSource source) {
    this.name = name;
    this.version = version;
    this.config = config;
    this.source = source;
  }

  /** k3s at an exact upstream version such as {@code v1.31.1+k3s1}. */
  public static Provider k3s(String version) {
    return of("k3s", version);
  }

  /** k0s at an exact upstream version such as {@code v1.32.1+k0s.0}. */
  public static Provider k0s(String version) {
    return of("k0s", version);
  }

  /**
   * A provider by name; k3s and k0s versions are checked, others taken as given. An empty version
   * means the provider's default (no {@code KAIROS_SOFTWARE_VERSION} is then written).
   */
  public static Provider of(String name, String version) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad provider name '" + name + "' (lower-case letters, digits, '-')");
    }
    String v = version.strip();
    Pattern rule = name.equals("k3s") ? K3S : name.equals("k0s") ? K0S : null;
    if (rule != null && !v.isEmpty() && !rule.matcher(v).matches()) {
      throw new IllegalArgumentException("bad " + name + " version '" + version + "': use the exact upstream tag, e.g. "
          + (name.equals("k3s") ? "v1.31.1+k3s1" : "v1.32.1+k0s.0"));
    }
    if (rule != null && !v.isEmpty() && !v.startsWith("v")) {
      v = "v" + v;
    }
    return new Provider(name, v, Optional.empty(), FrameworkSource.none());
  }

  /** This provider with a configuration file (installed where the provider reads it). */
  public Provider withConfig(Path file) {
    return new Provider(name, version, Optional.of(Objects.requireNonNull(file, "file")), source);
  }

  /** This provider with its binaries taken from {@code binaries} (a tree overlaid onto the image). */
  public Provider from(FrameworkSource binaries) {
    return new Provider(name, version, config, Objects.requireNonNull(binaries, "binaries"));
  }

  /** The provider's name, such as {@code k3s} or {@code k0s}. */
  public String name() {
    return name;
  }

  /** The normalised version, or empty for the provider's default. */
  public String version() {
    return version;
  }

  /** The configuration file to install for the provider, when one was given with {@link #withConfig(Path)}. */
  public Optional<Path> config() {
    return config;
  }

  /** Where the provider's binaries come from; {@link FrameworkSource#none()} when not given. */
  public FrameworkSource source() {
    return source;
  }

  /** Where this provider's configuration file goes in the image. */
  public String configPath() {
    return switch (name) {
      case "k3s" -> "/etc/rancher/k3s/config.yaml";
      case "k0s" -> "/etc/k0s/k0s.yaml";
      default -> "/etc/kairos/provider-" + name + ".yaml";
    };
  }

  @Override
  public String toString() {
    return name + (version.isEmpty() ? "" : "@" + version);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Provider p && name.equals(p.name) && version.equals(p.version)
        && config.equals(p.config) && source.equals(p.source);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, version, config, source);
  }
}
