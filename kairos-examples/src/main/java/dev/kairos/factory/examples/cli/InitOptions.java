package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.BuildOptions;
import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.InvalidOptionException;
import dev.kairos.factory.core.api.LogLevel;
import dev.kairos.factory.core.api.Phase;
import dev.kairos.factory.core.api.Provider;
import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of kairos-init, shared by {@code init} and {@code build}, spelled as kairos-init
 * spells them. {@code --provider-NAME-version} and {@code --provider-NAME-config} are registered
 * for every NAME given with {@code -p} (see {@link #registerProviderOptions}).
 */
final class InitOptions {
  @Option(names = {"-v", "--version"}, required = true, paramLabel = "V",
      description = "Kairos version of the image (semver, e.g. v1.0.0; 'v1.0' means v1.0.0).")
  String version;

  @Option(names = {"-s", "--stage"}, paramLabel = "STAGE", defaultValue = "all",
      description = "Phase to run: install, init or all (default: ${DEFAULT-VALUE}).")
  String stage;

  @Option(names = {"-m", "--model"}, paramLabel = "MODEL", defaultValue = "generic",
      description = "Board model: generic, rpi3, rpi4, nvidia-jetson-agx-orin, ... (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = {"-p", "--provider"}, paramLabel = "NAME", split = ",",
      description = "Provider (e.g. k3s, k0s); repeatable. Then --provider-NAME-version V,"
          + " --provider-NAME-config F and --provider-NAME-from SRC (its binaries) are accepted."
          + " An empty NAME (-p \"\", as Dockerfiles pass an unset build-arg) means none: a core image.")
  List<String> providers = new ArrayList<>();

  @Option(names = {"-t", "--trusted"}, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Trusted Boot image (UKI, systemd-boot; no GRUB, no dracut). As in kairos-init, only"
          + " 'true' or '1' (any case) turn it on; any other value (false, 0, yes) leaves it off. Alone: on.")
  String trusted = "false";

  @Option(names = {"-l", "--level", "--log-level"}, paramLabel = "LEVEL", defaultValue = "info",
      description = "Log level: trace, debug, info, warn or error (default: ${DEFAULT-VALUE}); trace also runs"
          + " dracut with -v, as kairos-init does.")
  String level;

  @Option(names = "--fips", description = "FIPS image.")
  boolean fips;

  @Option(names = {"-x", "--stage-extensions"}, arity = "0..1", paramLabel = "DIR", fallbackValue = "",
      description = "Run the stage extensions (yip files) of DIR; without DIR, of $"
          + BuildOptions.STAGE_EXTENSIONS_ENV + " or " + BuildOptions.DEFAULT_STAGE_EXTENSIONS_DIR + ".")
  String stageExtensions;

  List<String> skipSteps = List.of();

  /** As kairos-init: each {@code --skip-step} replaces the list the previous one gave (the last wins). */
  @Option(names = "--skip-step", paramLabel = "STEPS",
      description = "Steps to skip, comma-separated (see steps-info). As in kairos-init, a repeated --skip-step"
          + " replaces the earlier one: give every step in one list.")
  void skipStep(List<String> given) {
    skipSteps = given.isEmpty() ? List.of() : List.of(given.get(given.size() - 1).split(",", -1));
  }

  @Option(names = "--framework", paramLabel = "SRC", converter = Converters.Source.class,
      description = "Where the Kairos binaries come from: an image or a directory (same forms as --from).")
  SourceSpec framework;

  @Option(names = "--dry-run", description = "Print the plan (packages, files, commands) and change nothing.")
  boolean dryRun;

  @Option(names = "--arch", paramLabel = "ARCH",
      description = "Target architecture, e.g. amd64 or arm64 (default: the image's own, from its /bin/sh).")
  String arch;

  /** The architecture {@code --arch} names, else this machine's (what a debootstrap base is made for). */
  Architecture architecture(CommandSpec spec) throws IOException {
    return arch == null ? Architecture.host() : attribute(spec, "--arch", () -> Architecture.parse(arch));
  }

  /** Sets these flags on {@code b} (a {@link BuildOptions.Builder} or the pipeline's builder). */
  <B extends BuildOptions.Setters<B>> B apply(CommandSpec spec, B b, FrameworkSource framework) throws IOException {
    b.environment(System.getenv());
    attribute(spec, "--version", () -> b.version(version));
    attribute(spec, "--stage", () -> b.phase(Phase.parse(stage)));
    attribute(spec, "--model", () -> b.model(Model.parse(model)));
    if (arch != null) {
      attribute(spec, "--arch", () -> b.arch(Architecture.parse(arch)));
    }
    attribute(spec, "--level", () -> b.logLevel(LogLevel.parse(level)));
    b.trustedBoot(trusted(spec, trusted)).fips(fips).framework(framework);
    for (String name : providers) {
      if (name.isEmpty()) {
        continue; // -p "": kairos-init's empty list, a core image
      }
      String fromOption = "--provider-" + name + "-from";
      Optional<String> from = value(spec, fromOption);
      FrameworkSource binaries = from.isEmpty() ? FrameworkSource.none()
          : Sources.framework(attribute(spec, fromOption, () -> SourceSpec.parse(from.get())));
      attribute(spec, "--provider", () -> {
        Provider p = Provider.of(name, value(spec, "--provider-" + name + "-version").orElse(""));
        Optional<String> config = value(spec, "--provider-" + name + "-config");
        return b.provider((config.isPresent() ? p.withConfig(Path.of(config.get())) : p).from(binaries));
      });
    }
    if (stageExtensions != null) {
      if (stageExtensions.isEmpty()) {
        b.stageExtensions();
      } else {
        b.stageExtensions(Path.of(stageExtensions));
      }
    }
    if (!String.join("", skipSteps).isEmpty()) {
      attribute(spec, "--skip-step", () -> b.skip(String.join(",", skipSteps)));
    }
    return b;
  }

  /** kairos-init's spellings of false that Go's strconv.ParseBool knows; other values are off too, with a warning. */
  private static final List<String> FALSE = List.of("0", "f", "F", "FALSE", "false", "False");

  /**
   * {@code -t}'s value as kairos-init reads it: on only for {@code true} or {@code 1}, in any
   * case. Anything else is off, as there; a value that is not one of Go's spellings of false
   * ({@code yes}, {@code on}, {@code t}) is reported on standard error, since it may not mean what
   * was meant.
   */
  static boolean trusted(CommandSpec spec, String value) {
    String v = value.toLowerCase(java.util.Locale.ROOT);
    if (v.equals("true") || v.equals("1")) {
      return true;
    }
    if (!FALSE.contains(value)) {
      spec.commandLine().getErr().println("warning: --trusted '" + value + "' means false: as in kairos-init,"
          + " only 'true' or '1' turn Trusted Boot on");
      spec.commandLine().getErr().flush();
    }
    return false;
  }

  private static Optional<String> value(CommandSpec spec, String option) {
    OptionSpec o = spec.findOption(option);
    return o == null ? Optional.empty() : Optional.ofNullable(o.getValue());
  }

  /** Something that may refuse a value. */
  interface Check<T> {
    T get() throws IOException;
  }

  /**
   * Runs {@code check}; a refusal becomes a usage error naming {@code option}, or, when the library
   * says which option is at fault ({@link InvalidOptionException}), that option with a fix in
   * command-line terms.
   */
  static <T> T attribute(CommandSpec spec, String option, Check<T> check) throws IOException {
    try {
      return check.get();
    } catch (InvalidOptionException e) {
      throw usage(spec, e);
    } catch (IllegalArgumentException | UnsupportedTargetException e) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '" + option + "': " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code work} (checking the options, planning, building); a combination of options the
   * library refuses, perhaps only once it has seen the image (a model for another architecture),
   * becomes a usage error naming the option at fault.
   */
  static <T> T checked(CommandSpec spec, Check<T> work) throws IOException {
    try {
      return work.get();
    } catch (InvalidOptionException e) {
      throw usage(spec, e);
    }
  }

  /** The usage error for {@code e}: its option as this command line spells it, and the fix with our flags. */
  static ParameterException usage(CommandSpec spec, InvalidOptionException e) {
    String message = switch (e.option()) {
      case MODEL -> "Invalid value for option '--model': " + e.problem() + "; build for " + e.needed() + ": use a "
          + e.needed() + " base image (its /bin/sh decides the architecture) or give --arch " + e.needed();
      case FIPS -> "Invalid value for option '--fips': " + e.problem();
      case PROVIDERS -> "Invalid value for option '--provider': " + e.problem() + "; give them with --provider-"
          + e.needed() + "-from DIR|IMAGE";
      default -> "Invalid value for option '" + optionName(e.option()) + "': " + e.problem();
    };
    return new ParameterException(spec.commandLine(), message, e);
  }

  private static String optionName(BuildOptions.Option o) {
    return switch (o) {
      case VERSION -> "--version";
      case PHASE -> "--stage";
      case MODEL -> "--model";
      case ARCH -> "--arch";
      case TRUSTED_BOOT -> "--trusted";
      case FIPS -> "--fips";
      case PROVIDERS -> "--provider";
      case STAGE_EXTENSIONS -> "--stage-extensions";
      case SKIP -> "--skip-step";
      case LOG_LEVEL -> "--level";
      case FRAMEWORK -> "--framework";
    };
  }

  /**
   * Adds {@code --provider-NAME-version} and {@code --provider-NAME-config} to {@code spec} for
   * every NAME the arguments give with {@code -p NAME}, {@code -pNAME}, {@code --provider NAME},
   * {@code --provider=NAME} or a comma list. Unlike kairos-init, all of these forms work.
   */
  static void registerProviderOptions(CommandSpec spec, String[] args) {
    for (String name : providerNames(args)) {
      if (spec.findOption("--provider-" + name + "-version") != null) {
        continue;
      }
      spec.addOption(OptionSpec.builder("--provider-" + name + "-version").paramLabel("V")
          .type(String.class).description("Version of the " + name + " provider.").build());
      spec.addOption(OptionSpec.builder("--provider-" + name + "-config").paramLabel("FILE")
          .type(String.class).description("Config file of the " + name + " provider.").build());
      spec.addOption(OptionSpec.builder("--provider-" + name + "-from").paramLabel("SRC")
          .type(String.class).description("Where the " + name + " binaries come from (a directory or image).")
          .build());
    }
  }

  static List<String> providerNames(String[] args) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = null;
      if ((a.equals("-p") || a.equals("--provider")) && i + 1 < args.length) {
        value = args[++i];
      } else if (a.startsWith("--provider=")) {
        value = a.substring("--provider=".length());
      } else if (a.startsWith("-p") && !a.startsWith("--") && a.length() > 2) {
        value = a.startsWith("-p=") ? a.substring(3) : a.substring(2);
      }
      if (value != null) {
        for (String n : value.split(",")) {
          // Only names that can form an option; anything else is reported by the provider check.
          if (n.matches("[a-z0-9][a-z0-9_-]*") && !names.contains(n)) {
            names.add(n);
          }
        }
      }
    }
    return names;
  }
}
