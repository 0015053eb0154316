package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.event.EventListener;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every verb shares: {@code --help}, {@code --json}, {@code --verbose}, and the way its
 * result and progress are printed. A verb returns its exit code; errors are thrown and turned
 * into exit codes by {@link KairosFactoryCli}.
 */
abstract class Verb implements Callable<Integer> {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean helpRequested;

  @Option(names = "--json", description = "Print the result as one JSON document on standard output.")
  boolean json;

  @Option(names = "--verbose", description = "Also show command output, cache hits and the times of nested steps.")
  boolean verbose;

  @Spec CommandSpec spec;

  /** Where else a long verb's progress goes (the web server's build process); nothing by default. */
  EventListener alsoEvents = e -> { };

  @Override
  public final Integer call() throws Exception {
    return run(output());
  }

  Output output() {
    return new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
  }

  /** Progress for long work, rendered on standard error. */
  EventListener events(Output out) {
    return EventListener.all(java.util.List.of(ProgressRenderer.forConsole(out.err(), verbose), alsoEvents));
  }

  /** Progress as {@link #events(Output)} does, and each step's time into {@code times}. */
  EventListener events(Output out, StepTimes times) {
    return EventListener.all(java.util.List.of(events(out), times));
  }

  /** Does the work and prints the result; returns the exit code (0, or 1 for a negative answer). */
  abstract int run(Output out) throws Exception;
}
