package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code detect}: the distro facts of a root, keyed as in /etc/kairos-release. */
@Command(name = "detect", description = "Detect the distro of a root filesystem (flavor, release, family, arch, init system).")
final class DetectCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "The root filesystem to inspect.")
  Path root;

  @Override
  int run(Output out) throws Exception {
    throw new NotAvailableException("detect (distro detection of kairos-distros)");
  }
}
