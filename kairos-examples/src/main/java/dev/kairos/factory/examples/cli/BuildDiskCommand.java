package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code build-disk}: the recovery-first raw disk, as AuroraBoot's raw disk. */
@Command(name = "build-disk", description = "Build the raw disk image of a Kairos root filesystem (first boot resets into STATE).")
final class BuildDiskCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "A kairosified root filesystem.")
  Path root;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The raw disk to write.")
  Path output;

  @Option(names = "--bios", description = "For legacy BIOS (GRUB in the MBR and a BIOS boot partition) instead of EFI.")
  boolean bios;

  @Mixin
  EfiLoaderOption efiLoader;

  @Option(names = "--cloud-config", paramLabel = "FILE", converter = Converters.ExistingPath.class,
      description = "Cloud-config for the first boot.")
  Path cloudConfig;

  @Option(names = "--work", paramLabel = "DIR",
      defaultValue = "${env:XDG_CACHE_HOME:-${sys:user.home}/.cache}/kairos-factory/disk",
      description = "Directory for intermediate files, emptied afterwards (default: ${DEFAULT-VALUE}).")
  Path work;

  @Override
  int run(Output out) throws Exception {
    FileFacts disk = BootImages.disk(RootFs.at(root), bios ? RawDisk.Firmware.BIOS : RawDisk.Firmware.EFI, output, work,
        cloudConfig, efiLoader.value, SourceDate.fromEnvironment());
    out.result(disk.json(), disk.human());
    return 0;
  }
}
