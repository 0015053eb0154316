package dev.kairos.factory.core.api.image;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.lock.Lock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Where a base image comes from: a registry, an OCI layout or archive, a directory, a bootstrap
 * from distro repositories. Implementations live in the modules that know the format
 * ({@code kairos-oci}, {@code kairos-distros}); the pipeline only sees this interface.
 */
public interface ImageSource {
  /** A short human description, such as {@code docker.io/library/ubuntu:24.04}. */
  String description();

  /**
   * Lays the base image's root file system out in {@code directory} (created if missing; it must
   * be empty) and returns it.
   */
  RootFs materialize(Path directory, EventListener events) throws IOException;

  /**
   * When the image {@code root} was materialised from says it was made (an OCI config's
   * {@code created}), for a build's source date; empty when the source records none. Default:
   * empty.
   */
  default Optional<Instant> created(RootFs root) throws IOException {
    return Optional.empty();
  }

  /**
   * What a lock records of this base besides its {@link #description()} (which it keeps as
   * {@code base source}): e.g. a bootstrap's suite, mirror, variant, components and architecture,
   * an image's manifest digest. Asked after {@link #materialize}, with the root it made. Default:
   * nothing.
   */
  default Map<String, String> lockEntries(RootFs root) {
    return Map.of();
  }

  /**
   * The source a replay of {@code lock} starts from, holding what the lock recorded of the base
   * (e.g. a bootstrap of exactly the locked base packages, an image pulled by its locked digest).
   * Default: this source, whose base the replay then checks against the lock's base packages.
   *
   * @param lockMirror a further repository to look in, as {@code ImageBuilder#lockMirror} takes it
   */
  default ImageSource replaying(Lock lock, Optional<String> lockMirror) throws IOException {
    return this;
  }
}
