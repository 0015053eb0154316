package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code push}: a root filesystem as an image on top of a base. */
@Command(name = "push", description = "Pack a root filesystem as one layer over its base image and push it.")
final class PushCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "The root filesystem to pack.")
  Path root;

  @Option(names = "--base", required = true, paramLabel = "SRC", converter = Converters.Source.class,
      description = "The image the root was made from (its layers are reused).")
  SourceSpec base;

  @Parameters(index = "0", paramLabel = "REF", description = "Where to push, e.g. 127.0.0.1:5000/kairos/debian:v1.0.0.")
  String reference;

  @Override
  int run(Output out) throws Exception {
    throw new NotAvailableException("push (image pack and push of kairos-oci)");
  }
}
