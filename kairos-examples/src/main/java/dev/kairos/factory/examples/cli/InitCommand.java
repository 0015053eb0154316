package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code init}: kairos-init on a root filesystem directory, in place. */
@Command(name = "init", sortOptions = false,
    description = "Kairosify a root filesystem directory in place (kairos-init's flags).")
final class InitCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "The root filesystem to change.")
  Path root;

  @Mixin InitOptions options;

  @Override
  int run(Output out) throws Exception {
    options.toBuildOptions(spec, Sources.framework(options.framework));
    throw new NotAvailableException("init (the Kairosification pipeline of kairos-core)");
  }
}
