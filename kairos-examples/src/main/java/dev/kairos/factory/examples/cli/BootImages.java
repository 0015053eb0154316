package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.boot.api.netboot.NetbootSet;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The live ISO, the raw disk and the netboot set, as {@code build} and {@code build-iso}/{@code build-disk}/{@code netboot} write them. */
final class BootImages {
  private BootImages() {}

  /** Writes an image to a file, with intermediate files in a directory. */
  private interface Writer {
    void write(Path work, String cloudConfig) throws IOException;
  }

  /** Writes the live ISO of {@code root} to {@code iso}, its EFI image booting {@code loader}. */
  static FileFacts iso(RootFs root, Path iso, Path work, Path cloudConfig, EfiLoader loader, SourceDate date)
      throws IOException {
    return write("iso", iso, work, cloudConfig, (dir, config) -> {
      LiveIso.Builder b = LiveIso.builder(root).workDirectory(dir).efiLoader(loader).sourceDate(date);
      if (config != null) {
        b.cloudConfig(config);
      }
      b.build().writeTo(iso);
    });
  }

  /** Writes the recovery-first raw disk of {@code root} for {@code firmware} to {@code disk}, an EFI one booting {@code loader}. */
  static FileFacts disk(RootFs root, RawDisk.Firmware firmware, Path disk, Path work, Path cloudConfig, EfiLoader loader,
      SourceDate date) throws IOException {
    return write("disk", disk, work, cloudConfig, (dir, config) -> {
      RawDisk.Builder b = RawDisk.builder(root).firmware(firmware).efiLoader(loader).workDirectory(dir).sourceDate(date);
      if (config != null) {
        b.cloudConfig(config);
      }
      b.build().writeTo(disk);
    });
  }

  /**
   * Writes the netboot set of {@code root} (kernel, initrd, squashfs, iPXE script, cmdline) into
   * {@code dir}, served from {@code baseUrl}; returns the facts of each file, kernel first.
   */
  static java.util.List<FileFacts> netboot(RootFs root, Path dir, String baseUrl, String configUrl, SourceDate date)
      throws IOException {
    NetbootSet.Builder b = NetbootSet.builder(root).sourceDate(date).baseUrl(baseUrl);
    if (configUrl != null) {
      b.configUrl(configUrl);
    }
    NetbootSet.Files files = b.build().writeTo(dir);
    return java.util.List.of(FileFacts.of("kernel", files.kernel()), FileFacts.of("initrd", files.initrd()),
        FileFacts.of("squashfs", files.squashfs()), FileFacts.of("ipxe", files.ipxeScript()),
        FileFacts.of("cmdline", files.cmdlineFile()));
  }

  /** Runs {@code writer} with {@code work} freshly emptied, and empties it again afterwards. */
  private static FileFacts write(String kind, Path out, Path work, Path cloudConfig, Writer writer) throws IOException {
    if (Files.exists(work)) {
      ScratchDirectory.deleteTree(work);
    }
    Files.createDirectories(work);
    Files.createDirectories(out.toAbsolutePath().getParent());
    writer.write(work, cloudConfig == null ? null : Files.readString(cloudConfig));
    ScratchDirectory.deleteTree(work);
    return FileFacts.of(kind, out);
  }
}
