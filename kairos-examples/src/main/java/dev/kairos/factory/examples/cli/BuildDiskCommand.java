package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code build-disk}: the recovery-first raw disk, as AuroraBoot's raw disk. */
@Command(name = "build-disk", description = "Build the raw disk image of a Kairos root filesystem (first boot resets into STATE).")
final class BuildDiskCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "A kairosified root filesystem.")
  Path root;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The raw disk to write.")
  Path output;

  @Option(names = "--bios", description = "BIOS (MBR + GRUB) instead of EFI.")
  boolean bios;

  @Option(names = "--cloud-config", paramLabel = "FILE", converter = Converters.ExistingPath.class,
      description = "Cloud-config for the first boot.")
  Path cloudConfig;

  @Override
  int run(Output out) throws Exception {
    throw new NotAvailableException("build-disk (the raw disk writer of kairos-boot)");
  }
}
