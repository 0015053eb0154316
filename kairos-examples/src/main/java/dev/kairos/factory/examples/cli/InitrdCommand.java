package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code initrd}: a whole root filesystem as one compressed cpio (the UKI-style initrd). */
@Command(name = "initrd", description = "Write a root filesystem as a compressed newc cpio initrd.")
final class InitrdCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "The root filesystem to archive.")
  Path root;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The initrd to write.")
  Path output;

  @Option(names = "--compression", paramLabel = "C", defaultValue = "zstd",
      description = "zstd, gzip, xz, lz4 or none (default: ${DEFAULT-VALUE}).")
  String compression;

  @Override
  int run(Output out) throws Exception {
    throw new NotAvailableException("initrd (the cpio writer of kairos-boot)");
  }
}
