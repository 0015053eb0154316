package dev.kairos.factory.oci.internal.image;

import java.io.IOException;
import java.io.InputStream;

/** Where the blobs of an image can be read again: a blob store, a registry, an archive. */
@FunctionalInterface
public interface BlobSource {
  /** Opens the blob {@code d}; the caller verifies what it reads if it needs to. */
  InputStream open(Descriptor d) throws IOException;
}
