package dev.kairos.factory.core.testing;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Root file systems in memory (jimfs), for unit tests of the library and of image customisations
 * built on it: no disk, no root, milliseconds. Owners, setuid bits, devices and xattrs are kept by
 * the metadata overlay. Needs {@code com.google.jimfs:jimfs} on the test class path.
 *
 * <pre>{@code
 * RootFs root = InMemoryRootFs.create();
 * root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
 * }</pre>
 */
public final class InMemoryRootFs {
  private InMemoryRootFs() {}

  /** An empty root directory on a new in-memory Unix file system. */
  public static RootFs create() {
    FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
        .setAttributeViews("basic", "owner", "posix", "unix")
        .setWorkingDirectory("/")
        .build());
    try {
      Path root = fs.getPath("/rootfs");
      Files.createDirectory(root);
      return RootFs.at(root);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create an in-memory root", e);
    }
  }
}
