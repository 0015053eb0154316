package dev.kairos.factory.boot.internal.disk;

import dev.kairos.factory.boot.internal.host.HostCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * ext2 file system images made from a directory by the host's {@code mke2fs -d} (e2fsprogs), on a
 * plain image file: no loop device, no mount. The UUID and the hash seed are fixed by the caller.
 */
public final class Ext2Images {
  private final Duration timeout;

  public Ext2Images(Duration timeout) {
    this.timeout = timeout;
  }

  /** Writes an ext2 image of {@code sizeMiB} with the content of {@code dir} (owners and modes as on disk). */
  public Path make(Path dir, Path image, String label, long sizeMiB, UUID uuid) throws IOException {
    Files.deleteIfExists(image);
    HostCommand.run(List.of("mke2fs", "-q", "-F", "-t", "ext2", "-L", label, "-U", uuid.toString(),
        "-E", "hash_seed=" + uuid + ",root_owner=0:0", "-d", dir.toString(), image.toString(), sizeMiB + "M"), timeout);
    return image;
  }
}
