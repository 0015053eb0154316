package dev.kairos.factory.oci.api.artifact;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An OCI artifact in a registry: where it is, the digest of its manifest, its artifact type, its
 * files, the image it refers to (if it is a referrer) and its manifest annotations.
 *
 * @param reference the artifact's reference, pinned to its digest ({@code host/repo@sha256:...})
 * @param digest the manifest's digest
 * @param artifactType the manifest's {@code artifactType}
 * @param files the files, in manifest order
 * @param subject the digest of the image it refers to, if any
 * @param annotations the manifest's annotations
 */
public record OciArtifact(String reference, String digest, String artifactType, List<ArtifactFile> files,
    Optional<String> subject, Map<String, String> annotations) {
  /** Copies the lists and maps. */
  public OciArtifact {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(artifactType, "artifactType");
    files = List.copyOf(files);
    Objects.requireNonNull(subject, "subject");
    annotations = Map.copyOf(annotations);
  }
}
