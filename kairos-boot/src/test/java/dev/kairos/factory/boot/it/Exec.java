package dev.kairos.factory.boot.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs reference tools in integration tests: bounded time, output captured, killed on timeout. */
public final class Exec {
  /** Exit code and merged stdout+stderr of one run. */
  public record Result(int exit, String output) {
    public Result ok() {
      if (exit != 0) {
        throw new AssertionError("exit " + exit + ":\n" + output);
      }
      return this;
    }
  }

  private Exec() {
  }

  /** Skips the calling test unless {@code tool} is on the PATH. */
  public static void assumeTool(String tool) {
    boolean found = false;
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      found |= Files.isExecutable(Path.of(dir, tool));
    }
    found |= Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    assumeTrue(found, tool + " is not installed");
  }

  /** Skips the calling test unless running as root. */
  public static void assumeRoot() {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
  }

  /** Runs {@code sh -c script} in {@code dir}, at most 120 s. */
  public static Result sh(Path dir, String script) {
    return run(dir, 120, List.of("sh", "-c", script));
  }

  /** Runs {@code cmd} in {@code dir} with a timeout; the process is killed when it expires. */
  public static Result run(Path dir, int timeoutSeconds, List<String> cmd) {
    try {
      Path log = Files.createTempFile("exec", ".log");
      try {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile());
        pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          throw new AssertionError(cmd + " timed out after " + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
