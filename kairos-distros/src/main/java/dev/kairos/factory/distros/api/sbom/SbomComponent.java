package dev.kairos.factory.distros.api.sbom;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing installed in an image, as its database records it.
 *
 * @param kind where it was found (which database, or the Kairos release, or the kernel)
 * @param name the package name, e.g. {@code bash}
 * @param version the full version as the database spells it, e.g. {@code 5.2.15-2+b2}, or
 *     {@code 1:9.0.1-2.fc40} for an rpm with an epoch
 * @param arch the architecture as the database spells it ({@code amd64}, {@code x86_64},
 *     {@code all}, {@code noarch}), empty if it records none
 * @param licence the licence the database records, if any (e.g. {@code GPL-3.0-or-later})
 * @param supplier who supplies the package (a maintainer, packager or vendor), if recorded
 * @param purl its package URL, unique within one bill, e.g.
 *     {@code pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12}
 * @param dependsOn the purls of the components of the same bill it depends on, sorted
 */
public record SbomComponent(Kind kind, String name, String version, String arch, Optional<String> licence,
    Optional<String> supplier, String purl, List<String> dependsOn) {

  /** Where a component comes from. */
  public enum Kind {
    /** A Debian package, from {@code /var/lib/dpkg/status}. */
    DEB,
    /** An Alpine package, from {@code /lib/apk/db/installed}. */
    APK,
    /** An rpm, from {@code rpmdb.sqlite}. */
    RPM,
    /** An Arch Linux package, from {@code /var/lib/pacman/local}. */
    ALPM,
    /** Kairos itself or its provider, from {@code /etc/kairos-release}. */
    KAIROS,
    /** A kernel, from {@code /lib/modules}. */
    KERNEL;

    /** True for the kinds read from a package manager's database. */
    public boolean isPackage() {
      return this == DEB || this == APK || this == RPM || this == ALPM;
    }
  }

  /** Checks and copies: no nulls, {@code dependsOn} copied. */
  public SbomComponent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(arch, "arch");
    Objects.requireNonNull(licence, "licence");
    Objects.requireNonNull(supplier, "supplier");
    Objects.requireNonNull(purl, "purl");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty component name (purl " + purl + ")");
    }
    dependsOn = List.copyOf(dependsOn);
  }
}
