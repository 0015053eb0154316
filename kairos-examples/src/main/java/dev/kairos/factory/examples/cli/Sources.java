package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.distros.api.Bootstrap;
import dev.kairos.factory.distros.api.Debootstrap;
import dev.kairos.factory.distros.api.DirectorySource;
import dev.kairos.factory.oci.api.OciSource;

/** Turns the CLI's {@link SourceSpec} into the library's sources. */
final class Sources {
  private Sources() {}

  /** The library's image source for {@code spec}; a debootstrap base is for this machine's architecture. */
  static ImageSource image(SourceSpec spec) throws UnsupportedTargetException {
    return image(spec, Architecture.host());
  }

  /** The library's image source for {@code spec}, a debootstrap base for {@code arch}. */
  static ImageSource image(SourceSpec spec, Architecture arch) {
    if (spec instanceof SourceSpec.Debootstrap d) {
      Debootstrap base = Bootstrap.debootstrap(d.suite()).arch(arch);
      return d.mirror().isPresent() ? base.mirror(d.mirror().get()) : base;
    }
    if (spec instanceof SourceSpec.Directory d) {
      return DirectorySource.of(d.directory());
    }
    if (spec instanceof SourceSpec.OciLayout l) {
      return OciSource.layout(l.directory(), l.tag().orElse(null));
    }
    if (spec instanceof SourceSpec.OciArchive a) {
      return OciSource.archive(a.file());
    }
    if (spec instanceof SourceSpec.DockerArchive d) {
      return OciSource.dockerArchive(d.file());
    }
    try {
      return OciSource.pull(((SourceSpec.Registry) spec).reference());
    } catch (InvalidInputException e) {
      // SourceSpec.parse checked it already; kept for the compiler.
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * The architecture of an OCI platform {@code linux/ARCH[/VARIANT]}, e.g. arm64 for {@code linux/arm64/v8}.
   *
   * @throws IllegalArgumentException if it is not of that form
   * @throws UnsupportedTargetException if ARCH is none of ours
   */
  static Architecture architecture(String platform) throws UnsupportedTargetException {
    String[] parts = platform.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || !parts[0].equals("linux")) {
      throw new IllegalArgumentException("expected a platform linux/ARCH[/VARIANT], got '" + platform + "'");
    }
    return Architecture.parse(parts[1]);
  }

  /** The framework source: a directory is overlaid as is, anything else is an image. */
  static FrameworkSource framework(SourceSpec spec) throws UnsupportedTargetException {
    if (spec == null) {
      return FrameworkSource.none();
    }
    if (spec instanceof SourceSpec.Directory d) {
      return FrameworkSource.directory(d.directory());
    }
    return FrameworkSource.image(image(spec));
  }
}
