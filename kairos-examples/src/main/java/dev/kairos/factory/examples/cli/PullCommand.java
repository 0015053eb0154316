package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pull}: an image into a root filesystem directory. */
@Command(name = "pull", description = "Pull an image and unpack it into a directory.")
final class PullCommand extends Verb {
  @Parameters(index = "0", paramLabel = "SRC", converter = Converters.Source.class,
      description = "REF, oci-layout:DIR[:TAG], oci-archive:FILE, docker-archive:FILE, dir:DIR or debootstrap:SUITE[:MIRROR].")
  SourceSpec source;

  @Option(names = "--to", required = true, paramLabel = "DIR", description = "Directory to unpack into.")
  Path to;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", defaultValue = "linux/amd64",
      description = "Platform to pick from a multi-platform image (default: ${DEFAULT-VALUE}).")
  String platform;

  @Override
  int run(Output out) throws Exception {
    throw new NotAvailableException("pull (image pull and unpack of kairos-oci)");
  }
}
