package dev.kairos.factory.boot.api.squashfs;

import dev.kairos.factory.boot.internal.squashfs.JavaSquashfsWriter;
import dev.kairos.factory.boot.internal.squashfs.MksquashfsWriter;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Packs a whole {@link RootFs} into a squashfs 4.0 image, with owners, modes, device numbers and
 * symlinks taken from the rootfs metadata model (never from the host), entries sorted, and every
 * timestamp clamped to the options' source date.
 *
 * <p>Two implementations: {@link #inJava} (the default; no host tool, streams file contents and
 * keeps only the directory tree in memory) and {@link #mksquashfs} (runs the host's
 * {@code mksquashfs} with a pseudo file that carries the metadata model).
 *
 * <pre>{@code
 * SquashfsWriter w = SquashfsWriter.inJava(SquashfsOptions.builder()
 *     .compression(SquashfsCompression.ZSTD).build());
 * w.write(RootFs.at(Path.of("rootfs")), Path.of("out/rootfs.squashfs"));
 * }</pre>
 */
public interface SquashfsWriter {
  /**
   * Writes the tree below {@code /} of {@code root} to {@code output}, replacing it.
   *
   * @throws dev.kairos.factory.core.api.KairosException if a file cannot be represented (a file
   *     over the format's limits) or the host tool fails
   */
  void write(RootFs root, Path output) throws IOException;

  /** The options this writer uses. */
  SquashfsOptions options();

  /** The pure-Java writer. */
  static SquashfsWriter inJava(SquashfsOptions options) {
    return new JavaSquashfsWriter(options);
  }

  /** The host's {@code mksquashfs} (squashfs-tools 4.5 or later), stopped after {@code timeout}. */
  static SquashfsWriter mksquashfs(SquashfsOptions options, Duration timeout) {
    return new MksquashfsWriter(options, timeout);
  }
}
