package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The options of kairos-init, shared by {@code init} and {@code build}, spelled as kairos-init
 * spells them. {@code --provider-NAME-version} and {@code --provider-NAME-config} are registered
 * for every NAME given with {@code -p} (see {@link #registerProviderOptions}).
 */
final class InitOptions {
  /** The environment variable kairos-init reads for the stage extension directory. */
  static final String EXTENSIONS_ENV = "KAIROS_INIT_STAGE_EXTENSIONS_DIR";
  /** kairos-init's default stage extension directory. */
  static final String EXTENSIONS_DEFAULT = "/etc/kairos-init/stage-extensions";

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
      description = "Provider (e.g. k3s, k0s); repeatable. Then --provider-NAME-version V and"
          + " --provider-NAME-config F are accepted.")
  List<String> providers = new ArrayList<>();

  @Option(names = {"-t", "--trusted"}, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Trusted Boot image (UKI, systemd-boot; no GRUB, no dracut).")
  boolean trusted;

  @Option(names = "--fips", description = "FIPS image.")
  boolean fips;

  @Option(names = {"-x", "--stage-extensions"}, arity = "0..1", paramLabel = "DIR", fallbackValue = "",
      description = "Run the stage extensions (yip files) of DIR; without DIR, of $" + EXTENSIONS_ENV
          + " or " + EXTENSIONS_DEFAULT + ".")
  String stageExtensions;

  @Option(names = "--skip-step", split = ",", paramLabel = "STEP",
      description = "Steps to skip (comma-separated; see steps-info).")
  List<String> skipSteps = new ArrayList<>();

  @Option(names = "--framework", paramLabel = "SRC", converter = Converters.Source.class,
      description = "Where the Kairos binaries come from: an image or a directory (same forms as --from).")
  SourceSpec framework;

  @Option(names = "--dry-run", description = "Print the plan (packages, files, commands) and change nothing.")
  boolean dryRun;

  /** The stage extension directory, if extensions are on. */
  Optional<Path> stageExtensionsDirectory() {
    if (stageExtensions == null) {
      return Optional.empty();
    }
    if (!stageExtensions.isEmpty()) {
      return Optional.of(Path.of(stageExtensions));
    }
    String env = System.getenv(EXTENSIONS_ENV);
    return Optional.of(Path.of(env == null || env.isEmpty() ? EXTENSIONS_DEFAULT : env));
  }

  /** Provider name to its (version, config) options as given; absent values are null. */
  Map<String, String[]> providerSettings(CommandSpec spec) {
    Map<String, String[]> result = new LinkedHashMap<>();
    for (String name : providers) {
      OptionSpec version = spec.findOption("--provider-" + name + "-version");
      OptionSpec config = spec.findOption("--provider-" + name + "-config");
      result.put(name, new String[] {
          version == null ? null : version.getValue(), config == null ? null : config.getValue()});
    }
    return result;
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
