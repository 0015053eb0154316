package dev.kairos.factory.examples.cli;

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

  /** An image source in the grammar of {@link SourceSpec}. */
  static final class Source implements ITypeConverter<SourceSpec> {
    @Override
    public SourceSpec convert(String value) {
      try {
        return SourceSpec.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
