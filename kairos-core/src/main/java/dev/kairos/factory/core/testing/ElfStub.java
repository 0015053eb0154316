package dev.kairos.factory.core.testing;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;

/**
 * The first 64 bytes of a little-endian 64-bit ELF executable: enough for
 * {@link dev.kairos.factory.core.api.distro.Architecture#of} to tell an image's architecture, so a
 * test can make an arm64-looking root on any machine (nothing ever runs it).
 *
 * <pre>{@code
 * ElfStub.write(root, ImagePath.of("/bin/sh"), ElfStub.EM_AARCH64);   // an arm64 image
 * }</pre>
 */
public final class ElfStub {
  /** The ELF machine of amd64. */
  public static final int EM_X86_64 = 62;
  /** The ELF machine of arm64. */
  public static final int EM_AARCH64 = 183;
  /** The ELF machine of riscv64. */
  public static final int EM_RISCV = 243;

  private ElfStub() {}

  /** The header of an executable for ELF machine {@code machine}. */
  public static byte[] header(int machine) {
    byte[] h = new byte[64];
    h[0] = 0x7f;
    h[1] = 'E';
    h[2] = 'L';
    h[3] = 'F';
    h[4] = 2; // 64-bit
    h[5] = 1; // little-endian
    h[6] = 1;
    h[16] = 3; // ET_DYN
    h[18] = (byte) machine;
    h[19] = (byte) (machine >> 8);
    return h;
  }

  /** Writes {@link #header} at {@code path} (mode 0755), making its parent directories. */
  public static void write(RootFs root, ImagePath path, int machine) throws IOException {
    root.createDirectories(path.parent());
    root.write(path, header(machine), 0755);
  }
}
