package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code name}: the Kairos artifact name of a kairosified root. */
@Command(name = "name", description = "Print the artifact name of a Kairos root filesystem, alone on a line.")
final class NameCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "The root filesystem (reads its /etc/kairos-release).")
  Path root;

  @Override
  int run(Output out) throws Exception {
    throw new NotAvailableException("name (Kairos artifact naming of kairos-oci)");
  }
}
