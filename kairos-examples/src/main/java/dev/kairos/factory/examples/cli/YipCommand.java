package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code yip}: check and apply yip documents (stage extensions, cloud-configs). */
@Command(name = "yip", description = "Validate or apply yip documents.",
    subcommands = {YipCommand.Validate.class, YipCommand.Apply.class})
final class YipCommand implements Runnable {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean helpRequested;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: validate or apply");
  }

  /** {@code yip validate FILE...}. */
  @Command(name = "validate", description = "Parse and check yip files; report every problem with file:line:column.")
  static final class Validate extends Verb {
    @Parameters(arity = "1..*", paramLabel = "FILE", converter = Converters.ExistingPath.class,
        description = "yip files or directories of them.")
    List<Path> files;

    @Option(names = "--strict", description = "Unknown keys are errors, not warnings.")
    boolean strict;

    @Override
    int run(Output out) throws Exception {
      throw new NotAvailableException("yip validate (the yip parser of kairos-core)");
    }
  }

  /** {@code yip apply --root DIR --stage S FILE|DIR}. */
  @Command(name = "apply", description = "Apply one stage of yip files to a root filesystem.")
  static final class Apply extends Verb {
    @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
        description = "The root filesystem to change.")
    Path root;

    @Option(names = "--stage", required = true, paramLabel = "S", description = "The stage to run, e.g. after-install.")
    String stage;

    @Parameters(arity = "1", paramLabel = "FILE|DIR", converter = Converters.ExistingPath.class,
        description = "A yip file, or a directory of them (lexicographic order).")
    Path source;

    @Option(names = "--dry-run", description = "Report every effect and change nothing.")
    boolean dryRun;

    @Override
    int run(Output out) throws Exception {
      throw new NotAvailableException("yip apply (the yip executor of kairos-core)");
    }
  }
}
