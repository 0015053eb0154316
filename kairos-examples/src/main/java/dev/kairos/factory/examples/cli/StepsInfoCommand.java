package dev.kairos.factory.examples.cli;

import picocli.CommandLine.Command;

/** {@code steps-info}: the steps kairos-init runs, with their descriptions. */
@Command(name = "steps-info", description = "List the steps (names for --skip-step) with descriptions.")
final class StepsInfoCommand extends Verb {
  @Override
  int run(Output out) throws Exception {
    throw new NotAvailableException("steps-info (the step model of the kairos-core pipeline)");
  }
}
