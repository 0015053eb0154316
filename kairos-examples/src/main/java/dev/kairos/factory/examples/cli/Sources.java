package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.image.ImageSource;

/** Turns the CLI's {@link SourceSpec} into the library's sources. */
final class Sources {
  private Sources() {}

  /** The library's image source for {@code spec}. */
  static ImageSource image(SourceSpec spec) throws NotAvailableException {
    throw new NotAvailableException("image source " + spec.display()
        + " (registry, layout, archive and directory sources of kairos-oci, debootstrap of kairos-distros)");
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
