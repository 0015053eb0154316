package dev.kairos.factory.distros.api;

/**
 * Base images built from a distribution's own repositories instead of pulled from a registry,
 * as mkosi does. Each factory returns an immutable {@link dev.kairos.factory.core.api.image.ImageSource}
 * that runs the distro's bootstrap tool on the host when materialised.
 *
 * <pre>{@code
 * try (KairosBuild b = Kairos.from(Bootstrap.debootstrap("bookworm").variant("minbase"))...
 * }</pre>
 *
 * <p>Today: {@link #debootstrap} (Debian, Ubuntu). The same shape fits {@code dnf --installroot},
 * {@code zypper --root} and {@code apk --root}: a command line built from validated values, run
 * on the host with a timeout into an empty directory.
 */
public final class Bootstrap {
  private Bootstrap() {}

  /**
   * A Debian or Ubuntu root made by {@code debootstrap SUITE}, e.g. {@code bookworm}, {@code trixie},
   * {@code noble}.
   *
   * @throws IllegalArgumentException if {@code suite} is not a release name
   */
  public static Debootstrap debootstrap(String suite) {
    return Debootstrap.of(suite);
  }
}
