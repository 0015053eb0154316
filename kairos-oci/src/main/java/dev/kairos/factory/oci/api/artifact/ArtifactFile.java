package dev.kairos.factory.oci.api.artifact;

import java.util.Objects;

/**
 * One file of an artifact, as its manifest lists it: its name (annotation
 * {@code org.opencontainers.image.title}), the media type of its bytes, their digest and size.
 *
 * @param name the file name, without a directory
 * @param mediaType the media type of the layer
 * @param digest {@code sha256:<hex>} of the bytes
 * @param size the size in bytes
 */
public record ArtifactFile(String name, String mediaType, String digest, long size) {
  /** Checks that no part is missing. */
  public ArtifactFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
  }
}
