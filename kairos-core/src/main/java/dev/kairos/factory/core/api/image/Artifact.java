package dev.kairos.factory.core.api.image;

import java.util.Objects;
import java.util.Optional;

/**
 * What a target made: its kind, where it is (a file, a directory or an image reference), its size
 * in bytes (0 when not meaningful) and its content digest when it has one
 * ({@code sha256:...}).
 */
public record Artifact(ArtifactKind kind, String location, long size, Optional<String> digest) {
  public Artifact {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
  }
}
