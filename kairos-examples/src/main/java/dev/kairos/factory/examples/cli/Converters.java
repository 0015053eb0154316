package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.grub.EfiLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Argument converters: a bad value is a usage error (exit 2) whose message names it. */
final class Converters {
  private Converters() {}

  /** A directory that must exist, such as {@code --root}. */
  static final class ExistingDirectory implements ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
      Path p = Path.of(value);
      if (!Files.isDirectory(p)) {
        throw new TypeConversionException(
            "'" + value + "': " + (Files.exists(p) ? "not a directory" : "no such directory"));
      }
      return p;
    }
  }

  /** A file or directory that must exist, such as a yip file. */
  static final class ExistingPath implements ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
      Path p = Path.of(value);
      if (!Files.exists(p)) {
        throw new TypeConversionException("'" + value + "': no such file or directory");
      }
      return p;
    }
  }

  /** {@code auto}, {@code image-shim} or {@code host-grub}: what the ISO's and the disk's EFI boot files start. */
  static final class EfiLoaders implements ITypeConverter<EfiLoader> {
    @Override
    public EfiLoader convert(String value) {
      for (EfiLoader l : EfiLoader.values()) {
        if (name(l).equals(value)) {
          return l;
        }
      }
      throw new TypeConversionException("'" + value + "': not one of auto, image-shim, host-grub");
    }

    static String name(EfiLoader loader) {
      return loader.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** An image source in the grammar of {@link SourceSpec}. */
  static final class Source implements ITypeConverter<SourceSpec> {
    @Override
    public SourceSpec convert(String value) {
      try {
        return SourceSpec.parseExisting(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
