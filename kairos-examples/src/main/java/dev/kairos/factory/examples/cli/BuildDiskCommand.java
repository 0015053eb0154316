package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code build-disk}: the recovery-first raw disk, as AuroraBoot's raw disk. */
@Command(name = "build-disk", description = "Build the raw disk image of a Kairos root filesystem (first boot resets into STATE).")
final class BuildDiskCommand extends Verb {
  @Mixin RunPaths.Root root;

  @Mixin RunPaths.Output output;

  @Option(names = "--bios", description = "For legacy BIOS (GRUB in the MBR and a BIOS boot partition) instead of EFI.")
  boolean bios;

  @Mixin
  EfiLoaderOption efiLoader;

  @Option(names = "--cloud-config", paramLabel = "FILE", converter = Converters.ExistingPath.class,
      description = "Cloud-config for the first boot.")
  Path cloudConfig;

  @Mixin RunPaths.Work work;

  @Override
  int run(Output out) throws Exception {
    try (ExclusiveLock lock = output.lock(); OwnedDirectory w = work.claim(root.path, output.path)) {
      FileFacts disk = BootImages.disk(RootFs.at(root.path), bios ? RawDisk.Firmware.BIOS : RawDisk.Firmware.EFI,
          output.path, w, cloudConfig, efiLoader.value, SourceDate.fromEnvironment());
      out.result(disk.json(), disk.human());
      return 0;
    }
  }
}
