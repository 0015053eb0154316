package dev.kairos.factory.oci.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the host tools the interop tests compare with (skopeo, umoci, tar), each with a timeout. */
public final class Tools {
  private Tools() {}

  public static boolean exists(String tool) {
    return Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/usr/sbin", tool));
  }

  /** Runs {@code command}; fails with its output if it exits non-zero or outlives {@code timeout}. Returns the output. */
  public static String run(Duration timeout, String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      byte[] out;
      try (var in = p.getInputStream()) {
        // Read on another thread so that a hung tool still meets the timeout.
        var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return in.readAllBytes();
          } catch (IOException e) {
            return new byte[0];
          }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IOException(String.join(" ", command) + ": timed out after " + timeout);
        }
        out = reader.join();
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + text);
      }
      return text;
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted: " + List.of(command));
    }
  }
}
