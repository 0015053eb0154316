package dev.kairos.factory.oci.internal.pull;

import dev.kairos.factory.oci.internal.image.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Where an image is read from: a registry repository, a layout directory, an unpacked archive. */
public interface Origin {
  /** The top-level manifest or index: its descriptor (media type, digest, size) and bytes. */
  record Top(Descriptor descriptor, byte[] json) {}

  Top top() throws IOException;

  /** Opens any blob of the image by descriptor; unverified (the caller verifies). */
  InputStream open(Descriptor d) throws IOException;

  /** Whether blobs come over the network, so that they are downloaded into a store first, in parallel. */
  boolean remote();

  /** {@code registry/repository} when the image is in a registry (for cross-repository mounts). */
  Optional<String> repository();
}
