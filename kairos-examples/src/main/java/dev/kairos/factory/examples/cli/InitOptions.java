package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.BuildOptions;
import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.Phase;
import dev.kairos.factory.core.api.Provider;
import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.Model;
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
          + " --provider-NAME-config F and --provider-NAME-from SRC (its binaries) are accepted.")
  List<String> providers = new ArrayList<>();

  @Option(names = {"-t", "--trusted"}, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Trusted Boot image (UKI, systemd-boot; no GRUB, no dracut).")
  boolean trusted;

  @Option(names = "--fips", description = "FIPS image.")
  boolean fips;

  @Option(names = {"-x", "--stage-extensions"}, arity = "0..1", paramLabel = "DIR", fallbackValue = "",
      description = "Run the stage extensions (yip files) of DIR; without DIR, of $"
          + BuildOptions.STAGE_EXTENSIONS_ENV + " or " + BuildOptions.DEFAULT_STAGE_EXTENSIONS_DIR + ".")
  String stageExtensions;

  @Option(names = "--skip-step", split = ",", paramLabel = "STEP",
      description = "Steps to skip (comma-separated; see steps-info).")
  List<String> skipSteps = new ArrayList<>();

  @Option(names = "--framework", paramLabel = "SRC", converter = Converters.Source.class,
      description = "Where the Kairos binaries come from: an image or a directory (same forms as --from).")
  SourceSpec framework;

  @Option(names = "--dry-run", description = "Print the plan (packages, files, commands) and change nothing.")
  boolean dryRun;

  @Option(names = "--arch", paramLabel = "ARCH",
      description = "Target architecture, e.g. amd64 or arm64 (default: this machine's).")
  String arch;

  /**
   * The library's options for these flags. A bad value is a usage error naming the option: the
   * library validates (version rule, model and architecture, step names) and we attribute.
   *
   * @param framework the framework source, already resolved by the caller
   */
  BuildOptions toBuildOptions(CommandSpec spec, FrameworkSource framework) {
    BuildOptions.Builder b = apply(spec, BuildOptions.builder(), framework);
    return attribute(spec, "--model", b::build);
  }

  /** Sets these flags on {@code b} (a {@link BuildOptions.Builder} or the pipeline's builder). */
  <B extends BuildOptions.Setters<B>> B apply(CommandSpec spec, B b, FrameworkSource framework) {
    b.environment(System.getenv());
    attribute(spec, "--version", () -> b.version(version));
    attribute(spec, "--stage", () -> b.phase(Phase.parse(stage)));
    attribute(spec, "--model", () -> b.model(Model.parse(model)));
    if (arch != null) {
      attribute(spec, "--arch", () -> b.arch(Architecture.parse(arch)));
    }
    b.trustedBoot(trusted).fips(fips).framework(framework);
    for (String name : providers) {
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
    if (!skipSteps.isEmpty()) {
      attribute(spec, "--skip-step", () -> b.skip(String.join(",", skipSteps)));
    }
    return b;
  }

  private static Optional<String> value(CommandSpec spec, String option) {
    OptionSpec o = spec.findOption(option);
    return o == null ? Optional.empty() : Optional.ofNullable(o.getValue());
  }

  /** Something that may refuse a value. */
  interface Check<T> {
    T get() throws UnsupportedTargetException;
  }

  static <T> T attribute(CommandSpec spec, String option, Check<T> check) {
    try {
      return check.get();
    } catch (IllegalArgumentException | UnsupportedTargetException e) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '" + option + "': " + e.getMessage(), e);
    }
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
