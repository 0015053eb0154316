package dev.kairos.factory.oci.internal.registry;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.run.ProcessTree;
import dev.kairos.factory.oci.internal.image.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Docker credential helper ({@code credHelpers} and {@code credsStore} in Docker's
 * {@code config.json}): the program {@code docker-credential-NAME} on the {@code PATH}, run as
 * {@code docker-credential-NAME get} with the server on standard input, answering
 * {@code {"ServerURL": …, "Username": …, "Secret": …}} on standard output. A helper that has no
 * entry exits non-zero and says "credentials not found"; that is no credential, not an error.
 */
final class CredentialHelper {
  /** How long a helper may take; one that asks for a password on a terminal would wait forever. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final int MAX_OUTPUT = 1 << 20;

  private CredentialHelper() {}

  /**
   * The credential helper {@code name} knows for {@code server}, if any.
   *
   * @param source the file that named the helper, for errors
   * @param env the environment the helper runs with; its {@code PATH} is searched for the helper
   */
  static Optional<CredentialFiles.Credential> get(String name, String server, Path source, Map<String, String> env,
      Duration timeout) throws IOException {
    if (!NAME.matcher(name).matches()) {
      throw new InvalidInputException(source.toString(), "credential helper name '" + name + "' is not a plain name");
    }
    String program = "docker-credential-" + name;
    Path executable = onPath(program, env.getOrDefault("PATH", ""))
        .orElseThrow(() -> new InvalidInputException(source.toString(),
            "credential helper " + program + " (for " + server + ") is not on the PATH"));
    ProcessBuilder pb = new ProcessBuilder(executable.toString(), "get");
    pb.environment().putAll(env);
    Process p = pb.start();
    FutureTask<byte[]> out = readAll(p.getInputStream(), program + "-stdout");
    FutureTask<byte[]> err = readAll(p.getErrorStream(), program + "-stderr");
    try (OutputStream in = p.getOutputStream()) {
      in.write(server.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // It exited without reading the server; its exit code and output say why.
    }
    try {
      if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        ProcessTree.kill(p.toHandle());
        throw new KairosException(program + " get (for " + server + ") did not answer within " + timeout.toSeconds() + " s");
      }
      String stdout = new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0) {
        String stderr = new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
        String said = (stdout + "\n" + stderr).strip();
        if (said.toLowerCase(Locale.ROOT).contains("credentials not found")) {
          return Optional.empty();
        }
        throw new KairosException(program + " get (for " + server + ") exited with " + p.exitValue() + ": " + said);
      }
      return Optional.of(parse(stdout, program, server));
    } catch (InterruptedException e) {
      ProcessTree.kill(p.toHandle());
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while running " + program);
    } catch (ExecutionException | TimeoutException e) {
      throw new KairosException("could not read the answer of " + program + " get (for " + server + ")", e);
    }
  }

  private static CredentialFiles.Credential parse(String stdout, String program, String server) throws IOException {
    ObjectNode answer = Json.parse(stdout.getBytes(StandardCharsets.UTF_8), program + " get (for " + server + ")");
    String user = answer.path("Username").asString("");
    String secret = answer.path("Secret").asString("");
    if (user.equals("<token>")) {
      // Docker's identity token is an OAuth refresh token for the token server; not a password.
      throw new KairosException(program + " gave an identity token for " + server
          + "; identity tokens are not supported, log in with a user name and password or token");
    }
    if (user.isEmpty() || secret.isEmpty()) {
      throw new KairosException(program + " get (for " + server + ") answered without Username or Secret");
    }
    return new CredentialFiles.Credential(user, secret);
  }

  private static Optional<Path> onPath(String program, String path) {
    for (String dir : path.split(":")) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, program);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** Reads up to 1 MiB of {@code in} on its own thread and throws the rest away, so the helper never blocks on a full pipe. */
  private static FutureTask<byte[]> readAll(InputStream in, String name) {
    FutureTask<byte[]> task = new FutureTask<>(() -> {
      try (in) {
        byte[] kept = in.readNBytes(MAX_OUTPUT);
        in.transferTo(OutputStream.nullOutputStream());
        return kept;
      }
    });
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.start();
    return task;
  }
}
