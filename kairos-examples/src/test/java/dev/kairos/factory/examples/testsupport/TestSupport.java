package dev.kairos.factory.examples.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the CLI's, the server's and the end-to-end tests share: small roots to build from, the
 * steps to skip for a build that ends in seconds, waiting for a condition, and the CLI jar run as
 * a user runs it.
 */
public final class TestSupport {
  /** The CLI jar that {@code package} builds (so for integration tests), relative to the module. */
  public static final Path JAR = Path.of("target/kairos-factory.jar");

  /** Every step that needs packages or a chroot: what is left runs in Java, in seconds. */
  public static final List<String> QUICK_SKIPS = List.of("installPackages", "installKernel", "branding", "grub",
      "miscellaneous", "cloudconfigs", "kairosBinaries", "providerBinaries", "buildProvider", "kernel",
      "initramfsConfigs", "initrd", "services", "sshHardening", "workarounds", "cleanup");

  private TestSupport() {}

  /** A root that is only a Debian 12 os-release: builds from it with {@link #QUICK_SKIPS} end in seconds. */
  public static Path tinyRoot(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("etc"));
    Files.writeString(dir.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    return dir;
  }

  /** A {@link #tinyRoot} that says it is Kairos v1.0.0 for amd64: what {@code push} and the signing verbs need. */
  public static Path releasedRoot(Path dir) throws IOException {
    tinyRoot(dir);
    Files.writeString(dir.resolve("etc/kairos-release"), "KAIROS_TARGETARCH=\"amd64\"\nKAIROS_VERSION=\"v1.0.0\"\n");
    return dir;
  }

  /**
   * A {@link #tinyRoot} with {@code mib} MiB of incompressible content (seeded, so the same every
   * time): what is made from it takes long enough to be caught at work.
   */
  public static Path bigRoot(Path dir, int mib) throws IOException {
    tinyRoot(dir);
    SplittableRandom random = new SplittableRandom(42);
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(dir.resolve("noise"))) {
      for (int i = 0; i < mib; i++) {
        random.nextBytes(block);
        out.write(block);
      }
    }
    return dir;
  }

  /** A condition that may need I/O to decide. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** Waits up to {@code seconds} for {@code condition}, failing with {@code what} if it never holds. */
  public static void await(String what, int seconds, Condition condition) throws Exception {
    await(() -> what, seconds, 20, condition);
  }

  /**
   * As above, checking every {@code everyMillis}, with a message made at the time of failure (so
   * that it can say what was seen last).
   */
  public static void await(Supplier<String> what, int seconds, long everyMillis, Condition condition)
      throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.holds()) {
      assertThat(System.nanoTime()).as(() -> "waiting for " + what.get()).isLessThan(end);
      Thread.sleep(everyMillis);
    }
  }

  /** {@code java -jar kairos-factory.jar ARGS}, with the JVM that runs the tests. */
  public static List<String> cliCommand(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** What a child process printed, and its exit code. */
  public record Run(int exit, String out, String err) {}

  /**
   * Runs {@code command} in a child process whose home is {@code home} (its output goes to files
   * there), with {@code unset} removed from its environment and {@code env} added; waits up to 5
   * minutes.
   */
  public static Run run(Path home, List<String> unset, Map<String, String> env, List<String> command)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("HOME", home.toString());
    unset.forEach(pb.environment()::remove);
    pb.environment().putAll(env);
    pb.redirectOutput(home.resolve("out.txt").toFile()).redirectError(home.resolve("err.txt").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return new Run(p.exitValue(), Files.readString(home.resolve("out.txt")), Files.readString(home.resolve("err.txt")));
  }
}
