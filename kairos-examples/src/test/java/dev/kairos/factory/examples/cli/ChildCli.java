package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.examples.testsupport.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The CLI as a user runs it: its jar in a child JVM (built by {@code package}, so for ITs). */
final class ChildCli {
  private ChildCli() {}

  /** Starts {@code java -jar kairos-factory.jar ARGS}, output to files in {@code logs}. */
  static Process start(Path logs, String name, String... args) throws IOException {
    assertThat(TestSupport.JAR).as("the CLI jar (mvn package)").isRegularFile();
    List<String> cmd = TestSupport.cliCommand(args);
    Files.createDirectories(logs);
    return new ProcessBuilder(cmd).redirectOutput(logs.resolve(name + ".out").toFile())
        .redirectError(logs.resolve(name + ".err").toFile()).start();
  }

  /** The names in {@code dir}, sorted. */
  static List<String> names(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static boolean isRoot() throws IOException {
    return "0".equals(new ProcessBuilder("id", "-u").start().inputReader().readLine());
  }

  static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
  }
}
