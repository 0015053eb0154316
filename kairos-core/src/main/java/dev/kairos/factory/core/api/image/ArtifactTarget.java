package dev.kairos.factory.core.api.image;

import dev.kairos.factory.core.api.event.EventListener;
import java.io.IOException;

/**
 * Where, and as what, a built image goes: a registry, an OCI layout, an ISO file, a disk image.
 * Implementations live in {@code kairos-oci} and {@code kairos-boot}. A target writes under a
 * temporary name and renames at the end, so an interrupted build never leaves a half-written
 * artifact under its final name.
 */
public interface ArtifactTarget {
  /** A short human description, such as {@code ISO out/kairos.iso}. */
  String description();

  /** Makes the artifact from {@code image} and says what was made. */
  Artifact write(BuiltImage image, EventListener events) throws IOException;
}
