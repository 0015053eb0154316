package dev.kairos.factory.core.api.distro;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a base image is: the distro as Kairos names it, its release, family, architecture and init
 * system, and the raw {@link OsRelease} fields (PRETTY_NAME and VERSION_ID drive yip's
 * {@code only_os} / {@code only_os_version}). Made by {@link Distros#detect(dev.kairos.factory.core.api.fs.RootFs)} or, in tests,
 * by {@link #builder()}.
 *
 * <p>{@link #distro()} is the detected distro id ({@code ubuntu}, {@code opensuse-leap}, {@code rhel}
 * for CentOS Stream, ...); {@link #flavor()} and {@link #flavorRelease()} are what
 * {@code /etc/kairos-release} records ({@code opensuse} and {@code leap-15.6} for Leap 15.6).
 *
 * <pre>{@code
 * DistroInfo d = Distros.detect(root);
 * d.family();               // Family.DEBIAN
 * d.kairosReleaseFields();  // {KAIROS_ARCH=amd64, KAIROS_FAMILY=debian, KAIROS_FLAVOR=debian, ...}
 * }</pre>
 */
public final class DistroInfo {
  private final String distro;
  private final String version;
  private final Family family;
  private final Architecture arch;
  private final InitSystem initSystem;
  private final OsRelease osRelease;

  private DistroInfo(Builder b) {
    this.distro = b.distro;
    this.version = b.version;
    this.family = b.family;
    this.arch = b.arch;
    this.initSystem = b.initSystem;
    this.osRelease = b.osRelease;
  }

  /** An empty builder, for tests and for strategies that describe an image. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder with these values, to change some of them. */
  public Builder toBuilder() {
    return new Builder().distro(distro).version(version).family(family).arch(arch)
        .initSystem(initSystem).osRelease(osRelease);
  }

  /** The distro id Kairos uses: {@code ubuntu}, {@code debian}, {@code rocky}, {@code opensuse-leap}, ... */
  public String distro() {
    return distro;
  }

  /** The release: {@code VERSION_ID}, cut to {@code major.minor} on Alpine; empty on rolling distros without one. */
  public String version() {
    return version;
  }

  /** The family whose strategy handles this distro. */
  public Family family() {
    return family;
  }

  /** The image's architecture, from its ELF binaries. */
  public Architecture arch() {
    return arch;
  }

  /** The image's init system. */
  public InitSystem initSystem() {
    return initSystem;
  }

  /** The image's os-release fields as read. */
  public OsRelease osRelease() {
    return osRelease;
  }

  /** {@code PRETTY_NAME} (else {@code NAME}): what yip's {@code only_os} regexes match. */
  public String prettyName() {
    return osRelease.prettyName();
  }

  /** {@code KAIROS_FLAVOR}: the distro id, except {@code opensuse} for both openSUSE distros. */
  public String flavor() {
    return distro.startsWith("opensuse-") ? "opensuse" : distro;
  }

  /** {@code KAIROS_FLAVOR_RELEASE}: the version, prefixed {@code leap-} / {@code tumbleweed-} on openSUSE. */
  public String flavorRelease() {
    return distro.startsWith("opensuse-") ? distro.substring("opensuse-".length()) + "-" + version : version;
  }

  /**
   * The {@code /etc/kairos-release} keys that follow from the distro alone, sorted:
   * {@code KAIROS_ARCH}, {@code KAIROS_FAMILY}, {@code KAIROS_FLAVOR}, {@code KAIROS_FLAVOR_RELEASE},
   * {@code KAIROS_TARGETARCH}.
   */
  public SortedMap<String, String> kairosReleaseFields() {
    TreeMap<String, String> m = new TreeMap<>();
    m.put("KAIROS_ARCH", arch.id());
    m.put("KAIROS_FAMILY", family.id());
    m.put("KAIROS_FLAVOR", flavor());
    m.put("KAIROS_FLAVOR_RELEASE", flavorRelease());
    m.put("KAIROS_TARGETARCH", arch.id());
    return Collections.unmodifiableSortedMap(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DistroInfo d && distro.equals(d.distro) && version.equals(d.version)
        && family == d.family && arch == d.arch && initSystem == d.initSystem
        && osRelease.fields().equals(d.osRelease.fields());
  }

  @Override
  public int hashCode() {
    return Objects.hash(distro, version, family, arch, initSystem, osRelease.fields());
  }

  @Override
  public String toString() {
    return distro + (version.isEmpty() ? "" : " " + version) + " (" + family + ", " + arch + ", " + initSystem + ")";
  }

  /** Builds a {@link DistroInfo}; every field is required except the version (default empty). */
  public static final class Builder {
    private String distro;
    private String version = "";
    private Family family;
    private Architecture arch;
    private InitSystem initSystem;
    private OsRelease osRelease;

    private Builder() {}

    /** Sets the distro id, e.g. {@code debian}. */
    public Builder distro(String distro) {
      if (distro == null || !distro.matches("[a-z0-9][a-z0-9._-]*")) {
        throw new IllegalArgumentException("distro id must be lower-case [a-z0-9._-], got: " + distro);
      }
      this.distro = distro;
      return this;
    }

    /** Sets the release, e.g. {@code 12}. */
    public Builder version(String version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /** Sets the family. */
    public Builder family(Family family) {
      this.family = Objects.requireNonNull(family, "family");
      return this;
    }

    /** Sets the architecture. */
    public Builder arch(Architecture arch) {
      this.arch = Objects.requireNonNull(arch, "arch");
      return this;
    }

    /** Sets the init system. */
    public Builder initSystem(InitSystem initSystem) {
      this.initSystem = Objects.requireNonNull(initSystem, "initSystem");
      return this;
    }

    /** Sets the os-release fields. */
    public Builder osRelease(OsRelease osRelease) {
      this.osRelease = Objects.requireNonNull(osRelease, "osRelease");
      return this;
    }

    /** The value, with this builder's values copied. */
    public DistroInfo build() {
      if (distro == null || family == null || arch == null || initSystem == null || osRelease == null) {
        throw new IllegalArgumentException("distro, family, arch, initSystem and osRelease are required; got distro="
            + distro + " family=" + family + " arch=" + arch + " initSystem=" + initSystem
            + " osRelease=" + (osRelease == null ? null : osRelease.source()));
      }
      return new DistroInfo(this);
    }
  }
}
