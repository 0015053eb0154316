package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.boot.api.netboot.NetbootSet;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** The live ISO, the raw disk and the netboot set, as {@code build} and {@code build-iso}/{@code build-disk}/{@code netboot} write them. */
final class BootImages {
  private BootImages() {}

  /** Writes an image to a file ({@code out}, the temporary one), with intermediate files in a directory. */
  private interface Writer {
    void write(Path out, Path work, String cloudConfig) throws IOException;
  }

  /** Writes the live ISO of {@code root} to {@code iso}, its EFI image booting {@code loader}. */
  static FileFacts iso(RootFs root, Path iso, OwnedDirectory work, Path cloudConfig, EfiLoader loader,
      SourceDate date) throws IOException {
    FileFacts facts = write("iso", iso, work, cloudConfig, (tmp, dir, config) -> {
      LiveIso.Builder b = LiveIso.builder(root).workDirectory(dir).efiLoader(loader).sourceDate(date);
      if (config != null) {
        b.cloudConfig(config);
      }
      // LiveIso writes a checksum file beside what it is given: the temporary name's, dropped here.
      Path sidecar = tmp.resolveSibling(tmp.getFileName() + ".sha256");
      try {
        b.build().writeTo(tmp);
      } finally {
        Files.deleteIfExists(sidecar);
      }
    });
    // As sha256sum prints it, naming the final file.
    AtomicFile.write(iso.resolveSibling(iso.getFileName() + ".sha256"), tmp -> Files.writeString(tmp,
        facts.sha256().substring("sha256:".length()) + "  " + iso.getFileName() + "\n"));
    return facts;
  }

  /** Writes the recovery-first raw disk of {@code root} for {@code firmware} to {@code disk}, an EFI one booting {@code loader}. */
  static FileFacts disk(RootFs root, RawDisk.Firmware firmware, Path disk, OwnedDirectory work, Path cloudConfig,
      EfiLoader loader, SourceDate date) throws IOException {
    return write("disk", disk, work, cloudConfig, (tmp, dir, config) -> {
      RawDisk.Builder b = RawDisk.builder(root).firmware(firmware).efiLoader(loader).workDirectory(dir).sourceDate(date);
      if (config != null) {
        b.cloudConfig(config);
      }
      b.build().writeTo(tmp);
    });
  }

  /**
   * Writes the netboot set of {@code root} (kernel, initrd, squashfs, iPXE script, cmdline) into
   * {@code dir}, served from {@code baseUrl}; returns the facts of each file, kernel first. The set
   * is made in a scratch directory inside {@code dir}, then each file is renamed over its name, so
   * that each name holds either its old file or a whole new one.
   */
  static List<FileFacts> netboot(RootFs root, Path dir, String baseUrl, String configUrl, SourceDate date)
      throws IOException {
    NetbootSet.Builder b = NetbootSet.builder(root).sourceDate(date).baseUrl(baseUrl);
    if (configUrl != null) {
      b.configUrl(configUrl);
    }
    Files.createDirectories(dir);
    AtomicFile.sweep(dir);
    ScratchDirectory.sweep(dir);
    List<FileFacts> facts = new ArrayList<>();
    try (ScratchDirectory scratch = ScratchDirectory.in(dir, "netboot")) {
      NetbootSet.Files files = b.build().writeTo(scratch.dir());
      String[] kinds = {"kernel", "initrd", "squashfs", "ipxe", "cmdline"};
      Path[] made = {files.kernel(), files.initrd(), files.squashfs(), files.ipxeScript(), files.cmdlineFile()};
      for (int i = 0; i < made.length; i++) {
        Path from = made[i];
        Path to = dir.resolve(from.getFileName());
        AtomicFile.write(to, tmp -> Files.move(from, tmp, StandardCopyOption.REPLACE_EXISTING));
        facts.add(FileFacts.of(kinds[i], to));
      }
    }
    return facts;
  }

  /**
   * Runs {@code writer} on a temporary file beside {@code out} with a fresh scratch directory in
   * {@code work}; renames the file into place when it is whole; the scratch directory goes either way.
   */
  private static FileFacts write(String kind, Path out, OwnedDirectory work, Path cloudConfig, Writer writer)
      throws IOException {
    String config = cloudConfig == null ? null : Files.readString(cloudConfig);
    try (ScratchDirectory scratch = work.scratch(kind)) {
      AtomicFile.write(out, tmp -> writer.write(tmp, scratch.dir(), config));
    }
    return FileFacts.of(kind, out);
  }
}
