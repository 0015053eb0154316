package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.distros.api.Bootstrap;
import dev.kairos.factory.distros.api.Debootstrap;
import dev.kairos.factory.distros.api.DirectorySource;

/** Turns the CLI's {@link SourceSpec} into the library's sources. */
final class Sources {
  private Sources() {}

  /** The library's image source for {@code spec}. */
  static ImageSource image(SourceSpec spec) throws NotAvailableException {
    if (spec instanceof SourceSpec.Debootstrap d) {
      Debootstrap base = Bootstrap.debootstrap(d.suite());
      return d.mirror().isPresent() ? base.mirror(d.mirror().get()) : base;
    }
    if (spec instanceof SourceSpec.Directory d) {
      return DirectorySource.of(d.directory());
    }
    throw new NotAvailableException("image source " + spec.display()
        + " (registry pull, OCI layout and archive sources of kairos-oci)");
  }

  /** The framework source: a directory is overlaid as is, anything else is an image. */
  static FrameworkSource framework(SourceSpec spec) throws NotAvailableException {
    if (spec == null) {
      return FrameworkSource.none();
    }
    if (spec instanceof SourceSpec.Directory d) {
      return FrameworkSource.directory(d.directory());
    }
    return FrameworkSource.image(image(spec));
  }
}
