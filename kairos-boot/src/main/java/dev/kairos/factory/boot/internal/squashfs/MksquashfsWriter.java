package dev.kairos.factory.boot.internal.squashfs;

import dev.kairos.factory.boot.api.squashfs.SquashfsCompression;
import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import dev.kairos.factory.boot.api.squashfs.SquashfsWriter;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.boot.internal.host.ToolTimeout;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs the host's {@code mksquashfs} on the rootfs directory. The rootfs metadata model reaches
 * the image through a pseudo file: one {@code M} (modify) line per entry sets its mode, owner and
 * clamped time; special files are created from pseudo definitions and the root's metadata is
 * passed as options. Limitation of squashfs-tools 4.5: directories below the root keep the host
 * directory's owner, mode and time (right for a rootfs with native ownership, but their times are
 * not clamped), which is one reason the Java writer is the default. The pseudo file is written next to the output and removed after.
 */
public final class MksquashfsWriter implements SquashfsWriter {
  private final SquashfsOptions options;
  private final Duration timeout;

  public MksquashfsWriter(SquashfsOptions options, Duration timeout) {
    this.options = Objects.requireNonNull(options, "options");
    this.timeout = ToolTimeout.requirePositive(timeout);
  }

  @Override
  public SquashfsOptions options() {
    return options;
  }

  @Override
  public void write(RootFs root, Path output) throws IOException {
    if (root.root().getFileSystem() != FileSystems.getDefault() || output.getFileSystem() != FileSystems.getDefault()) {
      throw new KairosException("mksquashfs needs a rootfs and an output on the host file system, got "
          + root.root().toUri() + " and " + output.toUri());
    }
    Path out = output.toAbsolutePath();
    Path pseudo = out.resolveSibling(out.getFileName() + ".pseudo");
    Path excludes = out.resolveSibling(out.getFileName() + ".exclude");
    try {
      List<String> rootOptions = writePseudoFile(root, pseudo, excludes);
      Files.deleteIfExists(out);
      List<String> argv = new ArrayList<>(List.of("mksquashfs", root.root().toString(), out.toString(),
          "-noappend", "-no-progress", "-quiet",
          "-comp", options.compression().toolName(),
          "-b", Integer.toString(options.blockSize()),
          "-mkfs-time", Long.toString(Math.max(0, options.sourceDate().instant().getEpochSecond())),
          "-pf", pseudo.toString(), "-ef", excludes.toString()));
      argv.addAll(rootOptions);
      if (options.compression() != SquashfsCompression.XZ) {
        argv.add("-Xcompression-level");
        argv.add(Integer.toString(options.level()));
      }
      HostCommand.run(argv, timeout);
    } finally {
      Files.deleteIfExists(pseudo);
      Files.deleteIfExists(excludes);
    }
  }

  /**
   * One line per non-directory entry, paths relative to the root with spaces and backslashes escaped. Special
   * files (devices, FIFOs, sockets) are excluded from the directory and created as pseudo files,
   * because {@code mksquashfs} does not apply a modify line to them, and because in the metadata
   * overlay they are only placeholders. Returns the root's line of options instead of a pseudo line.
   */
  private List<String> writePseudoFile(RootFs root, Path pseudo, Path excludes) throws IOException {
    List<String> rootOptions = new ArrayList<>();
    try (BufferedWriter pw = Files.newBufferedWriter(pseudo, StandardCharsets.UTF_8);
         BufferedWriter ew = Files.newBufferedWriter(excludes, StandardCharsets.UTF_8)) {
      root.walk(ImagePath.ROOT, entry -> {
        FileMetadata m = entry.metadata();
        long time = Math.max(0, options.clamp(m.mtime()).getEpochSecond());
        if (entry.path().isRoot()) {
          rootOptions.addAll(List.of("-root-time", Long.toString(time), "-root-mode", Integer.toOctalString(m.mode()),
              "-root-uid", Integer.toString(m.uid()), "-root-gid", Integer.toString(m.gid())));
          return;
        }
        String name = escape(entry.path().toRelativeString());
        String common = time + " " + Integer.toOctalString(m.mode()) + " " + m.uid() + " " + m.gid();
        switch (m.type()) {
          case CHAR_DEVICE, BLOCK_DEVICE -> {
            exclude(ew, entry.path());
            pw.write(name + (m.type() == FileType.CHAR_DEVICE ? " C " : " B ") + common + " "
                + m.deviceMajor() + " " + m.deviceMinor());
          }
          case FIFO, SOCKET -> {
            exclude(ew, entry.path());
            pw.write(name + " I " + common + (m.type() == FileType.FIFO ? " f" : " s"));
          }
          // squashfs-tools 4.5 drops every definition below a directory that has a modify line
          case DIRECTORY -> {
            return;
          }
          default -> pw.write(name + " M " + common);
        }
        pw.newLine();
      });
    }
    return rootOptions;
  }

  private static void exclude(BufferedWriter ew, ImagePath path) throws IOException {
    ew.write(path.toRelativeString());
    ew.newLine();
  }

  static String escape(String path) {
    StringBuilder b = new StringBuilder(path.length() + 8);
    for (char c : path.toCharArray()) {
      if (c == ' ' || c == '\\' || c == '"' || c == '\t') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }
}
