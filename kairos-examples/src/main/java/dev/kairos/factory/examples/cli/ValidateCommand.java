package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code validate}: kairos-init's checks of a kairosified root; exit 1 if any fails. */
@Command(name = "validate", description = "Check that a root filesystem is a valid Kairos image (all failures at once).")
final class ValidateCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "The root filesystem to check.")
  Path root;

  @Option(names = {"-t", "--trusted"}, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Check as a Trusted Boot image.")
  boolean trusted;

  @Override
  int run(Output out) throws Exception {
    throw new NotAvailableException("validate (the validator of the kairos-core pipeline)");
  }
}
