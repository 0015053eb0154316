package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.run.UserNamespace;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The CLI started by a normal user restarts itself as root of a user namespace (what
 * {@code buildah unshare} does), for the verbs that make or read a whole image root: there it owns
 * the image's files as the image's own owners (a root made by a build holds directories of other
 * owners, e.g. {@code _apt}'s {@code /var/cache/apt/archives/partial}, mode 700, that the user
 * cannot read on the host), and every program it starts needs no further wrapping.
 *
 * <p>The inner JVM runs under {@code setpriv --pdeathsig KILL}, so a SIGKILL of this JVM takes it
 * along; SIGTERM and SIGINT are passed on by a shutdown hook that waits for it to clean up.
 */
final class UserNamespaceLaunch {
  /** Verbs that cannot work without a namespace: they install packages and write owners. */
  static final Set<String> NEEDS = Set.of("build", "init");
  /** Verbs that read a root a build made; outside a namespace they still work on a user's own tree. */
  static final Set<String> READS_ROOT = Set.of("build-iso", "build-disk", "build-uki", "initrd", "netboot", "push",
      "validate");
  /** How long the inner JVM gets to clean up after SIGTERM before it is killed. */
  private static final long GRACE_SECONDS = 60;

  private UserNamespaceLaunch() {}

  /**
   * The verb of {@code args} when it should run in a user namespace and this process is not yet
   * in one as root; empty to run here. Help and dry runs always run here ({@code --version} is
   * the image's version for {@code build}, not a request for ours).
   */
  static Optional<String> verbToRelaunch(String[] args, boolean root) {
    if (root || args.length == 0) {
      return Optional.empty();
    }
    for (String a : args) {
      if (Set.of("-h", "--help", "--dry-run").contains(a)) {
        return Optional.empty();
      }
    }
    String verb = args[0];
    return NEEDS.contains(verb) || READS_ROOT.contains(verb) ? Optional.of(verb) : Optional.empty();
  }

  /**
   * Runs the CLI in a user namespace when {@code args} call for it: returns the inner JVM's exit
   * code, or {@link KairosFactoryCli#USAGE} after saying what is missing for a verb that needs
   * it; empty when the CLI should run in this JVM.
   */
  static OptionalInt relaunch(String[] args, PrintWriter err) {
    Optional<String> verb = verbToRelaunch(args, UserNamespace.isRoot());
    if (verb.isEmpty()) {
      return OptionalInt.empty();
    }
    List<String> missing = new ArrayList<>(UserNamespace.missing());
    if (!onPath("setpriv")) {
      missing.add("setpriv is missing: install the Debian package util-linux");
    }
    if (!missing.isEmpty()) {
      if (!NEEDS.contains(verb.get())) {
        return OptionalInt.empty(); // the user's own tree needs no namespace
      }
      err.println("kairos-factory " + verb.get() + ": error: cannot build without root (" + Host.who()
          + "): a normal user's build runs in a user namespace, and this host lacks: " + String.join("; ", missing));
      err.println("See docs/sandbox.md, \"Building without root\", for the one-time setup.");
      err.flush();
      return OptionalInt.of(KairosFactoryCli.USAGE);
    }
    try {
      return OptionalInt.of(run(UserNamespace.wrap(innerCommand(args))));
    } catch (KairosException e) {
      err.println("kairos-factory " + verb.get() + ": error: " + e.getMessage());
      err.flush();
      return OptionalInt.of(KairosFactoryCli.USAGE);
    } catch (IOException e) {
      err.println("kairos-factory " + verb.get() + ": error: cannot start the build in a user namespace: " + e.getMessage());
      err.flush();
      return OptionalInt.of(KairosFactoryCli.FAILURE);
    }
  }

  /** This JVM again (same java, JVM options and class path), dying with its parent, with the user's home. */
  static List<String> innerCommand(String[] args) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> argv = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--", java));
    argv.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    // Inside the namespace the JVM would take root's home (and with it root's cache) from /etc/passwd.
    argv.add("-Duser.home=" + System.getProperty("user.home"));
    argv.addAll(List.of("-cp", System.getProperty("java.class.path"), KairosFactoryCli.class.getName()));
    argv.addAll(List.of(args));
    return argv;
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  /**
   * What the inner JVM's environment adds to this one's, for a JVM whose file names are in
   * {@code jnuEncoding}: {@code LC_ALL=C.UTF-8} unless that is already UTF-8. In the POSIX locale
   * (a login without {@code LANG}) the JVM cannot name an image's files whose names are not ASCII
   * (ca-certificates' {@code NetLock_Arany_=Class_Gold=_Főtanúsítvány.pem}), and the build stops
   * walking the root.
   */
  static Map<String, String> innerEnvironment(String jnuEncoding) {
    return "UTF-8".equalsIgnoreCase(jnuEncoding) ? Map.of() : Map.of("LC_ALL", "C.UTF-8");
  }

  private static int run(List<String> argv) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
    pb.environment().putAll(innerEnvironment(System.getProperty("sun.jnu.encoding")));
    Process inner = pb.start();
    Thread passOn = new Thread(() -> {
      if (inner.isAlive()) {
        inner.destroy(); // SIGTERM: the inner build removes its mounts and work files, as on SIGTERM to us
        try {
          if (!inner.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
            inner.destroyForcibly();
          }
        } catch (InterruptedException e) {
          inner.destroyForcibly();
        }
      }
    }, "user-namespace-stop");
    Runtime.getRuntime().addShutdownHook(passOn);
    try {
      return inner.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      inner.destroy();
      return KairosFactoryCli.FAILURE;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(passOn);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or will run: it stops the inner JVM
      }
    }
  }
}
