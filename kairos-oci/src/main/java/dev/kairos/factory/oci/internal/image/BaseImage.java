package dev.kairos.factory.oci.internal.image;

import dev.kairos.factory.oci.internal.layer.BaseSnapshot;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * A base image as it was materialised: its config, its layers (with OCI media types) and their
 * diff IDs, where its blobs can be read again, the registry repository it came from (for
 * cross-repository mounts), the snapshot of the root right after unpacking, and the digest of
 * its manifest (the one chosen from an index), by which a lock pins it.
 */
public record BaseImage(ObjectNode config, List<Descriptor> layers, List<String> diffIds, BlobSource blobs,
    Optional<String> sourceRepository, BaseSnapshot snapshot, Optional<String> manifestDigest) {
  public BaseImage {
    layers = List.copyOf(layers);
    diffIds = List.copyOf(diffIds);
  }
}
