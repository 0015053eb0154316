package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --cache DIR} and {@code --no-cache}, for the verbs that fetch (see {@link BuildCache}). */
final class CacheOptions {
  @Option(names = "--cache", paramLabel = "DIR",
      defaultValue = "${env:XDG_CACHE_HOME:-${sys:user.home}/.cache}/kairos-factory",
      description = "Keep bootstrapped bases, downloaded packages and image blobs here for the next run"
          + " (default: ${DEFAULT-VALUE}).")
  Path directory;

  @Option(names = "--no-cache", description = "Neither read nor fill the cache: fetch everything again.")
  boolean disabled;

  /** The cache, unless {@code --no-cache}. */
  Optional<BuildCache> cache() {
    return disabled ? Optional.empty() : Optional.of(new BuildCache(directory));
  }
}
