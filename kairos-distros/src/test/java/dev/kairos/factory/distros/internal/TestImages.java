package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.ElfStub;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** In-memory images for the unit tests: a real os-release file and an ELF stub for the shell. */
final class TestImages {
  private TestImages() {}

  /** The os-release test resource {@code name}. */
  static String osRelease(String name) {
    try (InputStream in = TestImages.class.getResourceAsStream("/os-release/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no os-release test file " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An image with the given os-release at /usr/lib/os-release, linked from /etc, and an amd64 /bin/sh. */
  static RootFs image(String osReleaseName) throws IOException {
    RootFs root = InMemoryRootFs.create();
    root.createDirectories(ImagePath.of("/usr/lib"));
    root.createDirectories(ImagePath.of("/etc"));
    root.writeString(ImagePath.of("/usr/lib/os-release"), osRelease(osReleaseName));
    root.createSymlink(ImagePath.of("/etc/os-release"), "../usr/lib/os-release");
    elf(root, "/usr/bin/dash", 62);
    root.createSymlink(ImagePath.of("/bin"), "usr/bin");
    root.createSymlink(ImagePath.of("/usr/bin/sh"), "dash");
    return root;
  }

  /** Writes the header of a little-endian 64-bit ELF executable for {@code machine}. */
  static void elf(RootFs root, String path, int machine) throws IOException {
    ElfStub.write(root, ImagePath.of(path), machine);
  }

  static void file(RootFs root, String path) throws IOException {
    ImagePath p = ImagePath.of(path);
    root.createDirectories(p.parent());
    root.write(p, new byte[0], 0755);
  }
}
