package dev.kairos.factory.core.api.distro;

import java.util.Objects;

/**
 * What to resolve packages for: the distro and its release, the architecture, the board model,
 * trusted boot (systemd-boot + UKI instead of GRUB + dracut) and FIPS.
 *
 * <pre>{@code
 * PackageSelection sel = PackageSelection.builder(info).model(Model.RPI4).build();
 * PackageSet set = strategy.packages(sel);
 * }</pre>
 */
public final class PackageSelection {
  private final String distro;
  private final String version;
  private final Family family;
  private final Architecture arch;
  private final Model model;
  private final boolean trustedBoot;
  private final boolean fips;

  private PackageSelection(Builder b) {
    this.distro = b.distro;
    this.version = b.version;
    this.family = b.family;
    this.arch = b.arch;
    this.model = b.model;
    this.trustedBoot = b.trustedBoot;
    this.fips = b.fips;
  }

  /** A selection for a detected image: its distro, version, family and architecture; generic model. */
  public static Builder builder(DistroInfo info) {
    return new Builder(info.distro(), info.version(), info.family()).arch(info.arch());
  }

  /** A selection for a distro given by name, e.g. {@code ("ubuntu", "24.04", Family.DEBIAN)}; arch defaults to amd64. */
  public static Builder builder(String distro, String version, Family family) {
    return new Builder(distro, version, family);
  }

  /** A builder with these values, to change some of them. */
  public Builder toBuilder() {
    return new Builder(distro, version, family).arch(arch).model(model).trustedBoot(trustedBoot).fips(fips);
  }

  /** The distro id, e.g. {@code ubuntu} (see {@link DistroInfo#distro()}). */
  public String distro() {
    return distro;
  }

  /** The distro release, e.g. {@code 24.04}. */
  public String version() {
    return version;
  }

  /** The distro's family. */
  public Family family() {
    return family;
  }

  /** The architecture to install for. */
  public Architecture arch() {
    return arch;
  }

  /** The board model, {@link Model#GENERIC} by default. */
  public Model model() {
    return model;
  }

  /** True for a Trusted Boot image (its kernel packages differ). */
  public boolean trustedBoot() {
    return trustedBoot;
  }

  /** True for a FIPS image. */
  public boolean fips() {
    return fips;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PackageSelection s && distro.equals(s.distro) && version.equals(s.version)
        && family == s.family && arch == s.arch && model == s.model && trustedBoot == s.trustedBoot && fips == s.fips;
  }

  @Override
  public int hashCode() {
    return Objects.hash(distro, version, family, arch, model, trustedBoot, fips);
  }

  @Override
  public String toString() {
    return distro + " " + version + " " + arch + " " + model + (trustedBoot ? " trusted-boot" : "") + (fips ? " fips" : "");
  }

  /** Builds a {@link PackageSelection}. */
  public static final class Builder {
    private final String distro;
    private final String version;
    private final Family family;
    private Architecture arch = Architecture.AMD64;
    private Model model = Model.GENERIC;
    private boolean trustedBoot;
    private boolean fips;

    private Builder(String distro, String version, Family family) {
      if (distro == null || distro.isBlank()) {
        throw new IllegalArgumentException("distro must not be blank, got: '" + distro + "'");
      }
      this.distro = distro;
      this.version = Objects.requireNonNull(version, "version");
      this.family = Objects.requireNonNull(family, "family");
    }

    /** Sets the architecture. */
    public Builder arch(Architecture arch) {
      this.arch = Objects.requireNonNull(arch, "arch");
      return this;
    }

    /** Sets the board model. */
    public Builder model(Model model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /** Sets whether the image is a Trusted Boot image. */
    public Builder trustedBoot(boolean trustedBoot) {
      this.trustedBoot = trustedBoot;
      return this;
    }

    /** Sets whether the image is a FIPS image. */
    public Builder fips(boolean fips) {
      this.fips = fips;
      return this;
    }

    /** The selection, with this builder's values copied. */
    public PackageSelection build() {
      return new PackageSelection(this);
    }
  }
}
