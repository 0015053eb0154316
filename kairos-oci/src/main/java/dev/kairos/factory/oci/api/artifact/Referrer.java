package dev.kairos.factory.oci.api.artifact;

import java.util.Map;
import java.util.Objects;

/**
 * A manifest that refers to an image (its {@code subject}), as the referrers API or the referrers
 * tag lists it.
 *
 * @param digest the referrer's manifest digest
 * @param mediaType the referrer's manifest media type
 * @param artifactType its artifact type
 * @param size the manifest's size in bytes
 * @param annotations the annotations the listing carries for it
 * @param foundBy how it was found
 */
public record Referrer(String digest, String mediaType, String artifactType, long size,
    Map<String, String> annotations, FoundBy foundBy) {
  /** Where a referrer was listed. */
  public enum FoundBy {
    /** The registry's referrers API ({@code GET /v2/<name>/referrers/<digest>}). */
    API,
    /** The referrers tag of the distribution spec's fallback ({@code sha256-<hex>}). */
    TAG,
    /** Both. */
    BOTH
  }

  /** Copies the annotations. */
  public Referrer {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(artifactType, "artifactType");
    annotations = Map.copyOf(annotations);
    Objects.requireNonNull(foundBy, "foundBy");
  }
}
