package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.examples.web.WebCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code kairos-factory} command: kairos-init and AuroraBoot's verbs over the library, with
 * no Docker daemon.
 *
 * <pre>
 * java -jar kairos-factory.jar build --from debootstrap:bookworm --version v1.0.0 \
 *     --oci-layout out/oci --iso out/kairos.iso
 * </pre>
 *
 * <p>Exit codes: 0 success, 1 failure (including a verb whose library part is not in this build,
 * and a {@code validate} that finds problems), 2 usage error (unknown option, bad value, missing
 * root directory, malformed reference).
 */
@Command(
    name = "kairos-factory",
    mixinStandardHelpOptions = true,
    versionProvider = KairosFactoryCli.Version.class,
    description = "Turns a base Linux image into a bootable, A/B-upgradable Kairos image and its"
        + " artifacts (OCI image, ISO, UKI, raw disk, netboot), without a Docker daemon.",
    subcommands = {
      InitCommand.class,
      BuildCommand.class,
      StepsInfoCommand.class,
      ValidateCommand.class,
      DetectCommand.class,
      NameCommand.class,
      YipCommand.class,
      PullCommand.class,
      PushCommand.class,
      InitrdCommand.class,
      BuildUkiCommand.class,
      BuildIsoCommand.class,
      BuildDiskCommand.class,
      NetbootCommand.class,
      GenkeyCommand.class,
      ArtifactCommand.class,
      WebCommand.class,
      SignCommands.Sign.class,
      SignCommands.Verify.class,
      SignCommands.SignBlob.class,
      SignCommands.VerifyBlob.class,
      SignCommands.GenerateKeyPair.class,
      DiffCommand.class,
      SbomCommand.class,
      LockCommand.class,
      CacheCommand.class,
      OperatorCommand.class,
      MatrixCommand.class,
      SelfImageCommand.class,
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:failure", "2:usage error (bad option or value)"})
public final class KairosFactoryCli implements Runnable {
  /** Exit code of a usage error. */
  public static final int USAGE = 2;
  /** Exit code of a failure. */
  public static final int FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  /**
   * Runs the CLI and exits with its exit code. Started by a normal user, a verb that makes or
   * reads an image root runs in a user namespace: this JVM starts the CLI again there and exits
   * with its code, or says what the host lacks (exit 2) before doing anything.
   */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    java.util.OptionalInt inner = UserNamespaceLaunch.relaunch(args, err);
    System.exit(inner.isPresent() ? inner.getAsInt() : execute(out, err, args));
  }

  /** Runs the CLI in-process, printing to the given writers; returns the exit code. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = commandLine(args);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  /**
   * Runs the CLI in-process as {@link #execute(PrintWriter, PrintWriter, String...)} does, and
   * also sends the progress events of a long verb ({@code build}) to {@code events}: the web
   * server runs its builds through this, the very code path of the command line.
   */
  public static int execute(PrintWriter out, PrintWriter err, EventListener events, String... args) {
    CommandLine cli = commandLine(args);
    cli.setOut(out);
    cli.setErr(err);
    for (CommandLine sub : cli.getSubcommands().values()) {
      if (sub.getCommand() instanceof Verb v) {
        v.alsoEvents = events;
      }
    }
    return cli.execute(args);
  }

  /** The command tree for these arguments (provider options depend on the arguments). */
  static CommandLine commandLine(String[] args) {
    CommandLine cli = new CommandLine(new KairosFactoryCli());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    for (String verb : new String[] {"init", "build"}) {
      InitOptions.registerProviderOptions(cli.getSubcommands().get(verb).getCommandSpec(), args);
    }
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      Verb verb = commandLine.getCommand() instanceof Verb v ? v : null;
      new Output(commandLine.getOut(), commandLine.getErr(), verb != null && verb.json)
          .error(e, verb != null && verb.verbose);
      // A library refusing a value the parser could not check (e.g. a malformed version).
      return e instanceof IllegalArgumentException ? USAGE : FAILURE;
    });
    cli.setParameterExceptionHandler((e, args2) -> {
      CommandLine bad = e.getCommandLine();
      PrintWriter err = bad.getErr();
      err.println(bad.getCommandSpec().qualifiedName() + ": error: " + e.getMessage());
      err.println("Try '" + bad.getCommandSpec().qualifiedName() + " --help' for more information.");
      err.flush();
      return USAGE;
    });
    return cli;
  }

  /** The version of this build, from the jar's resources. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties p = new Properties();
      try (InputStream in = KairosFactoryCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {"kairos-factory " + p.getProperty("version", "unknown")};
    }
  }
}
