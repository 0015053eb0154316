package dev.kairos.factory.examples.web;

import dev.kairos.factory.examples.cli.Host;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code web}: the Factory server, a REST API and a web page over the same builds the
 * {@code build} verb makes. Loopback only unless given a bearer token.
 */
@Command(name = "web", sortOptions = false, mixinStandardHelpOptions = true,
    description = "Serve the Factory web UI and REST API (/api/v1, docs at /docs) until stopped.")
public final class WebCommand implements Callable<Integer> {
  @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
      description = "Address to listen on (default: ${DEFAULT-VALUE}). Any non-loopback address needs --token-file.")
  String listen;

  @Option(names = "--data", paramLabel = "DIR",
      description = "Where builds, their logs and artifacts and the database are kept"
          + " (default: ${XDG_DATA_HOME:-~/.local/share}/kairos-factory/web).")
  Path data;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "A file holding the bearer token every API call must carry (Authorization: Bearer TOKEN).")
  Path tokenFile;

  @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "1",
      description = "Builds run at once (default: ${DEFAULT-VALUE}); more wait in the queue.")
  int maxConcurrent;

  @Option(names = "--max-queued", paramLabel = "N", defaultValue = "16",
      description = "Builds that may wait (default: ${DEFAULT-VALUE}); beyond, a new build is refused with 429.")
  int maxQueued;

  @Spec CommandSpec spec;

  /** Public for picocli. */
  public WebCommand() {}

  @Override
  public Integer call() throws Exception {
    if (maxConcurrent < 1 || maxQueued < 1) {
      throw new ParameterException(spec.commandLine(), "--max-concurrent and --max-queued must be at least 1");
    }
    int colon = listen.lastIndexOf(':');
    String host = colon < 0 ? "" : listen.substring(0, colon).replaceAll("^\\[(.*)\\]$", "$1");
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (host.isEmpty() || port < 0 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "Invalid value for option '--listen': '" + listen
          + "': expected HOST:PORT, e.g. 127.0.0.1:8080");
    }
    String token = null;
    if (tokenFile != null) {
      try {
        token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new ParameterException(spec.commandLine(), "Invalid value for option '--token-file': " + e, e);
      }
      if (token.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "Invalid value for option '--token-file': " + tokenFile
            + " is empty");
      }
    } else if (!loopback(host)) {
      throw new ParameterException(spec.commandLine(), "--listen " + listen + " is not a loopback address: anyone who"
          + " reaches it could build and read images; give --token-file FILE (bearer auth)");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Host.isRoot()) {
      err.println("kairos-factory web: warning: not running as root: builds need root (chroot, mounts, ownership),"
          + " as the build verb does; they will fail");
      err.flush();
    }
    Path dir = data != null ? data : defaultData();
    FactoryServer server = FactoryServer.start(dir.toAbsolutePath(), host, port, token, maxConcurrent, maxQueued);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (IOException e) {
        // stopping anyway
      }
      stopped.countDown();
    }, "web-stop"));
    String shown = host.contains(":") ? "[" + host + "]" : host;
    out.println("kairos-factory web: listening on http://" + shown + ":" + server.port() + "/ (API docs at /docs),"
        + " data in " + dir.toAbsolutePath() + (token != null ? ", bearer token required" : ""));
    out.flush();
    stopped.await();
    return 0;
  }

  private static boolean loopback(String host) {
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static Path defaultData() {
    String home = System.getenv("XDG_DATA_HOME");
    Path base = home != null && !home.isEmpty() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".local",
        "share");
    return base.resolve("kairos-factory").resolve("web");
  }
}
