package dev.kairos.factory.core.api.distro;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The architecture of an image, from the ELF header of its shell (the image's binaries, not the
 * host's, so a cross-architecture base is named right). The one reader of ELF headers; see
 * {@link Architecture#of(RootFs)}.
 */
final class ElfArch {
  /** Binaries every base image has, tried in order; symlinks are followed inside the image. */
  static final List<ImagePath> PROBES = List.of(ImagePath.of("/bin/sh"), ImagePath.of("/usr/bin/env"),
      ImagePath.of("/bin/busybox"), ImagePath.of("/usr/bin/bash"));
  private static final int EM_X86_64 = 62;
  private static final int EM_AARCH64 = 183;
  private static final int EM_RISCV = 243;

  private ElfArch() {}

  /**
   * The architecture of the first probe that is an ELF file, or empty if none is.
   *
   * @throws UnsupportedTargetException if the ELF machine is not one of ours
   */
  static Optional<Architecture> detect(RootFs root) throws IOException {
    for (ImagePath p : PROBES) {
      if (!root.isRegularFile(p)) {
        continue;
      }
      byte[] h;
      try (InputStream in = root.newInputStream(p)) {
        h = in.readNBytes(20);
      }
      if (h.length < 20 || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') {
        continue; // a script, not a binary
      }
      boolean little = h[5] == 1;
      int machine = little ? (h[18] & 0xff) | (h[19] & 0xff) << 8 : (h[19] & 0xff) | (h[18] & 0xff) << 8;
      return Optional.of(switch (machine) {
        case EM_X86_64 -> Architecture.AMD64;
        case EM_AARCH64 -> Architecture.ARM64;
        case EM_RISCV -> Architecture.RISCV64;
        default -> throw new UnsupportedTargetException("architecture", "ELF machine " + machine + " (" + p + ")",
            Architecture.ids());
      });
    }
    return Optional.empty();
  }
}
