package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.core.api.io.NotOwnedException;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --root}, {@code -o} and {@code --work}, declared once for every verb, with the rules that
 * keep a user's files safe: an output is locked for the whole run and written beside its final
 * name, then renamed into place; a work directory is one the library made (or was given empty),
 * locked for the run, and never the root or the output.
 */
final class RunPaths {
  private RunPaths() {}

  /** {@code --root DIR}: an existing root filesystem directory. */
  static final class Root {
    @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
        description = "The root filesystem directory.")
    Path path;
  }

  /** {@code -o FILE}: one output file. */
  static final class Output {
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
        description = "The file to write (written beside its name, then renamed into place; locked while running).")
    Path path;

    /** Locks the output for the run: a second run on it fails at once naming this pid. */
    ExclusiveLock lock() throws IOException {
      return ExclusiveLock.forOutput(path);
    }

    /** Writes the output whole or not at all (the lock must be held). */
    void write(AtomicFile.Writer writer) throws IOException {
      AtomicFile.write(path, writer);
    }
  }

  /** {@code --work DIR}: the verb's work directory, claimed with {@link OwnedDirectory}. */
  static final class Work {
    @Option(names = "--work", paramLabel = "DIR",
        description = "Work directory (default: ${XDG_CACHE_HOME:-~/.cache}/kairos-factory/ and build, iso, disk"
            + " or uki for the verb). Created and marked as kairos-factory's, or empty; a directory holding other"
            + " files is refused.")
    Path path;

    @Spec(Spec.Target.MIXEE) CommandSpec mixee;

    /** The directory: {@code --work}, or the verb's default under the user's cache directory. */
    Path dir() {
      if (path != null) {
        return path;
      }
      String home = System.getenv("XDG_CACHE_HOME");
      Path cache = home != null && !home.isEmpty() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".cache");
      // One per verb, beside the cache's directories (the cache is not a work directory): build, iso, disk, uki.
      return cache.resolve("kairos-factory").resolve(mixee.name().replace("build-", ""));
    }

    /**
     * Claims the work directory for the run (held until closed); {@code keep} are the root and
     * outputs, never deleted and never the work directory. A directory that is not the library's
     * is a usage error naming {@code --work}.
     */
    OwnedDirectory claim(Path... keep) throws IOException {
      List<Path> kept = new ArrayList<>(Arrays.stream(keep).filter(Objects::nonNull).toList());
      try {
        return OwnedDirectory.claim(dir(), kept);
      } catch (NotOwnedException e) {
        throw new ParameterException(mixee.commandLine(), "Invalid value for option '--work': " + e.getMessage(), e);
      }
    }
  }
}
