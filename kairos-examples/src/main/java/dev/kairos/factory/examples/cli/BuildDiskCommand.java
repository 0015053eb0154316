package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code build-disk}: the recovery-first raw disk, as AuroraBoot's raw disk. */
@Command(name = "build-disk", description = "Build the raw disk image of a Kairos root filesystem (first boot resets into STATE).")
final class BuildDiskCommand extends Verb {
  @Mixin RunPaths.Root root;

  @Mixin RunPaths.Output output;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "raw", converter = BuildDiskCommand.Formats.class,
      description = "raw (the disk image), vhd (Azure fixed VHD) or gce (disk.raw in a gzip tar, as GCE imports it)."
          + " Default: ${DEFAULT-VALUE}.")
  RawDisk.Format format;

  @Option(names = "--bios", description = "For legacy BIOS (GRUB in the MBR and a BIOS boot partition) instead of EFI.")
  boolean bios;

  @Mixin
  EfiLoaderOption efiLoader;

  @Option(names = "--cloud-config", paramLabel = "FILE", converter = Converters.ExistingPath.class,
      description = "Cloud-config for the first boot.")
  Path cloudConfig;

  @Mixin RunPaths.Work work;

  /** {@code raw}, {@code vhd} or {@code gce}. */
  static final class Formats implements ITypeConverter<RawDisk.Format> {
    @Override
    public RawDisk.Format convert(String value) {
      for (RawDisk.Format f : RawDisk.Format.values()) {
        if (f.name().toLowerCase(Locale.ROOT).equals(value)) {
          return f;
        }
      }
      throw new TypeConversionException("'" + value + "': not one of raw, vhd, gce");
    }
  }

  @Override
  int run(Output out) throws Exception {
    try (ExclusiveLock lock = output.lock(); OwnedDirectory w = work.claim(root.path, output.path)) {
      FileFacts disk = FileFacts.of("disk", BootImages.write("disk",
          scratch -> BootImages.disk(output.path, bios, format, BootImages.options(scratch, cloudConfig, efiLoader.value)),
          RootFs.at(root.path), w, SourceDate.fromEnvironment(), events(out)));
      out.result(disk.json(), disk.human());
      return 0;
    }
  }
}
