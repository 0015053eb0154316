package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code netboot}: kernel, initrd, squashfs and an iPXE script. */
@Command(name = "netboot", description = "Write the netboot set (kernel, initrd, squashfs, iPXE script) of a Kairos root filesystem.")
final class NetbootCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "A kairosified root filesystem.")
  Path root;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "The directory to write.")
  Path output;

  @Override
  int run(Output out) throws Exception {
    throw new NotAvailableException("netboot (the netboot writer of kairos-boot)");
  }
}
