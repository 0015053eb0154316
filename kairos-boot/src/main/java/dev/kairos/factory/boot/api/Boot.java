package dev.kairos.factory.boot.api;

import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.core.api.fs.RootFs;

/**
 * The entry point of kairos-boot: builders for every boot artifact, all written in Java without
 * root, loop devices or external tools, and all byte-reproducible.
 *
 * <pre>{@code
 * RootFs rootfs = RootFs.at(Path.of("rootfs"));
 * Boot.initrd(rootfs).compression(InitrdCompression.ZSTD).build().writeTo(Path.of("initrd"));
 * }</pre>
 */
public final class Boot {
  private Boot() {
  }

  /** An initramfs (newc cpio, compressed) of {@code rootfs}. */
  public static Initrd.Builder initrd(RootFs rootfs) {
    return Initrd.builder(rootfs);
  }
}
