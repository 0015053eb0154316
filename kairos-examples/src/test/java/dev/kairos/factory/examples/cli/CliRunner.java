package dev.kairos.factory.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process and keeps what it printed. */
public record CliRunner(int exit, String out, String err) {
  /** Runs {@code kairos-factory ARGS} in this JVM. */
  public static CliRunner run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = KairosFactoryCli.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new CliRunner(exit, out.toString(), err.toString());
  }
}
