package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The CLI as a user runs it: its jar in a child JVM (built by {@code package}, so for ITs). */
final class ChildCli {
  private ChildCli() {}

  /** Starts {@code java -jar kairos-factory.jar ARGS}, output to files in {@code logs}. */
  static Process start(Path logs, String name, String... args) throws IOException {
    Path jar = Path.of("target/kairos-factory.jar").toAbsolutePath();
    assertThat(jar).as("the CLI jar (mvn package)").isRegularFile();
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
        jar.toString()));
    cmd.addAll(List.of(args));
    Files.createDirectories(logs);
    return new ProcessBuilder(cmd).redirectOutput(logs.resolve(name + ".out").toFile())
        .redirectError(logs.resolve(name + ".err").toFile()).start();
  }

  /** Waits up to {@code seconds} for {@code condition}, failing with {@code what} if it never holds. */
  static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(end);
      Thread.sleep(20);
    }
  }

  /** A root directory with {@code mib} MiB of incompressible content (seeded, so the same every time). */
  static Path bigRoot(Path dir, int mib) throws IOException {
    Files.createDirectories(dir.resolve("etc"));
    Files.writeString(dir.resolve("etc/os-release"), "ID=debian\n");
    SplittableRandom random = new SplittableRandom(42);
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(dir.resolve("noise"))) {
      for (int i = 0; i < mib; i++) {
        for (int j = 0; j < block.length; j += 8) {
          long v = random.nextLong();
          for (int k = 0; k < 8; k++) {
            block[j + k] = (byte) (v >>> (8 * k));
          }
        }
        out.write(block);
      }
    }
    return dir;
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
