package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --cache DIR} and {@code --no-cache}, for the verbs that fetch (see {@link BuildCache}). */
final class CacheOptions {
  /** The cache directory unless {@code --cache} says otherwise. */
  static final String DEFAULT_DIRECTORY = "${env:XDG_CACHE_HOME:-${sys:user.home}/.cache}/kairos-factory";

  @Option(names = "--cache", paramLabel = "DIR", defaultValue = DEFAULT_DIRECTORY,
      description = "Keep bootstrapped bases, downloaded packages, image blobs and (for build) snapshots of the"
          + " steps' results here for the next run (default: ${DEFAULT-VALUE}).")
  Path directory;

  @Option(names = "--no-cache", description = "Neither read nor fill the cache: fetch everything again and run"
      + " every step.")
  boolean disabled;

  /** The cache, unless {@code --no-cache}. */
  Optional<BuildCache> cache() {
    return disabled ? Optional.empty() : Optional.of(new BuildCache(directory));
  }
}
