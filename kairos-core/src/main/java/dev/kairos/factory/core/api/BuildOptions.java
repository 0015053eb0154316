package dev.kairos.factory.core.api;

import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.release.KairosVersion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything {@code kairos-init} takes, as one immutable value: version, phase, model,
 * architecture, trusted boot, FIPS, providers, stage extensions, skipped steps, log level and the
 * framework source. Every setter checks its value at once, and {@link Builder#build()} checks the
 * combinations (a model for another architecture, FIPS on riscv64) before anything is written.
 *
 * <pre>{@code
 * BuildOptions o = BuildOptions.builder()
 *     .version("1.0")                       // becomes v1.0.0
 *     .provider(Provider.k3s("v1.31.1+k3s1"))
 *     .skip("installKernel,cleanup")        // unknown names are refused, listing the valid ones
 *     .build();
 * }</pre>
 */
public final class BuildOptions {
  /** The environment variable that names the stage extensions directory. */
  public static final String STAGE_EXTENSIONS_ENV = "KAIROS_INIT_STAGE_EXTENSIONS_DIR";
  /** The in-image stage extensions directory used when neither a directory nor the variable is given. */
  public static final String DEFAULT_STAGE_EXTENSIONS_DIR = "/etc/kairos-init/stage-extensions";

  /** Option names, as recorded in the image and reported when an init run takes them from there. */
  public enum Option {
    /** {@link Setters#version(String)}. */
    VERSION,
    /** {@link Setters#phase(Phase)}. */
    PHASE,
    /** {@link Setters#model(Model)}. */
    MODEL,
    /** {@link Setters#arch(Architecture)}. */
    ARCH,
    /** {@link Setters#trustedBoot(boolean)}. */
    TRUSTED_BOOT,
    /** {@link Setters#fips(boolean)}. */
    FIPS,
    /** {@link Setters#provider(Provider)}. */
    PROVIDERS,
    /** {@link Setters#stageExtensions()} and {@link Setters#stageExtensions(Path)}. */
    STAGE_EXTENSIONS,
    /** {@link Setters#skip(String)} and {@link Setters#skip(Step...)}. */
    SKIP,
    /** {@link Setters#logLevel(LogLevel)}. */
    LOG_LEVEL,
    /** {@link Setters#framework(FrameworkSource)}. */
    FRAMEWORK
  }

  private final KairosVersion version;
  private final Phase phase;
  private final Model model;
  private final Architecture arch;
  private final boolean trustedBoot;
  private final boolean fips;
  private final List<Provider> providers;
  private final boolean stageExtensions;
  private final Optional<Path> stageExtensionsDir;
  private final Set<Step> skipped;
  private final LogLevel logLevel;
  private final FrameworkSource framework;
  private final Set<Option> explicit;

  private BuildOptions(Setters<?> b) {
    this.version = b.version;
    this.phase = b.phase;
    this.model = b.model;
    this.arch = b.arch;
    this.trustedBoot = b.trustedBoot;
    this.fips = b.fips;
    this.providers = List.copyOf(b.providers);
    this.stageExtensions = b.stageExtensions;
    this.stageExtensionsDir = b.stageExtensionsDir;
    this.skipped = Collections.unmodifiableSet(EnumSet.copyOf(b.skipped));
    this.logLevel = b.logLevel;
    this.framework = b.framework;
    this.explicit = Collections.unmodifiableSet(b.explicit.isEmpty() ? EnumSet.noneOf(Option.class) : EnumSet.copyOf(b.explicit));
  }

  /** A builder with the defaults: phase all, model generic, log level info, no framework. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options; a value set on it counts as given explicitly. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.copyFrom(this);
    return b;
  }

  /** The Kairos version the image is built as, normalised (e.g. {@code v1.0.0}). */
  public KairosVersion version() {
    return version;
  }

  /** The phase to run; {@link Phase#ALL} unless set. */
  public Phase phase() {
    return phase;
  }

  /** The board or platform model; {@link Model#GENERIC} unless set. */
  public Model model() {
    return model;
  }

  /** The target architecture: the one set, else the default {@code build} chose (the image's or this machine's). */
  public Architecture arch() {
    return arch;
  }

  /** Whether the image is built for trusted boot (UKI). */
  public boolean trustedBoot() {
    return trustedBoot;
  }

  /** Whether the image is built in FIPS mode. */
  public boolean fips() {
    return fips;
  }

  /** The bundled providers, in the order added; empty for a {@code core} image. */
  public List<Provider> providers() {
    return providers;
  }

  /** {@code standard} when a provider is bundled, else {@code core}. */
  public String variant() {
    return providers.isEmpty() ? "core" : "standard";
  }

  /** Whether stage extensions are loaded. */
  public boolean stageExtensions() {
    return stageExtensions;
  }

  /**
   * The host directory the extensions come from, when one was given (explicitly or through
   * {@value #STAGE_EXTENSIONS_ENV}); empty means {@value #DEFAULT_STAGE_EXTENSIONS_DIR} inside the image.
   */
  public Optional<Path> stageExtensionsDir() {
    return stageExtensionsDir;
  }

  /** The steps not to run; {@link Step#INSTALL}/{@link Step#INIT} skip a whole phase. */
  public Set<Step> skipped() {
    return skipped;
  }

  /** Whether {@code step} is skipped, by name or through its phase. */
  public boolean isSkipped(Step step) {
    return Step.isSkipped(step, skipped);
  }

  /** How much the build logs; {@link LogLevel#INFO} unless set. */
  public LogLevel logLevel() {
    return logLevel;
  }

  /** Where the Kairos binaries come from; {@link FrameworkSource#none()} unless set. */
  public FrameworkSource framework() {
    return framework;
  }

  /** The options the caller set, as opposed to defaults (an init run takes the others from the image). */
  public Set<Option> explicit() {
    return explicit;
  }

  @Override
  public String toString() {
    return "version=" + version + " phase=" + phase + " model=" + model + " arch=" + arch
        + " trusted=" + trustedBoot + " fips=" + fips + " providers=" + providers
        + " stageExtensions=" + (stageExtensions ? stageExtensionsDir.map(Path::toString).orElse(DEFAULT_STAGE_EXTENSIONS_DIR) : "off")
        + " skip=" + skipped + " level=" + logLevel + " framework=" + framework.description();
  }

  /**
   * The fluent setters, shared by {@link Builder} and the entry builder so both spell options the
   * same way.
   *
   * @param <B> the concrete builder, returned by every setter
   */
  public abstract static class Setters<B extends Setters<B>> {
    private KairosVersion version;
    private Phase phase = Phase.ALL;
    private Model model = Model.GENERIC;
    private Architecture arch;
    private boolean trustedBoot;
    private boolean fips;
    private final List<Provider> providers = new ArrayList<>();
    private boolean stageExtensions;
    private Optional<Path> stageExtensionsDir = Optional.empty();
    private final Set<Step> skipped = EnumSet.noneOf(Step.class);
    private LogLevel logLevel = LogLevel.INFO;
    private FrameworkSource framework = FrameworkSource.none();
    private final Set<Option> explicit = EnumSet.noneOf(Option.class);
    private Map<String, String> environment = System.getenv();

    /** For subclasses: starts from the defaults of {@link BuildOptions#builder()}. */
    protected Setters() {}

    @SuppressWarnings("unchecked")
    private B self(Option set) {
      explicit.add(set);
      return (B) this;
    }

    void copyFrom(BuildOptions o) {
      version = o.version;
      phase = o.phase;
      model = o.model;
      arch = o.arch;
      trustedBoot = o.trustedBoot;
      fips = o.fips;
      providers.addAll(o.providers);
      stageExtensions = o.stageExtensions;
      stageExtensionsDir = o.stageExtensionsDir;
      skipped.addAll(o.skipped);
      logLevel = o.logLevel;
      framework = o.framework;
      explicit.addAll(o.explicit);
    }

    /**
     * The image version (required), by the semver rule of {@link KairosVersion}.
     *
     * @throws IllegalArgumentException echoing a malformed version
     */
    public B version(String version) {
      this.version = KairosVersion.parse(version);
      return self(Option.VERSION);
    }

    /**
     * The image version (required), already parsed.
     *
     * @throws NullPointerException when {@code version} is null
     */
    public B version(KairosVersion version) {
      this.version = Objects.requireNonNull(version, "version");
      return self(Option.VERSION);
    }

    /** Which phase to run; default {@link Phase#ALL}. */
    public B phase(Phase phase) {
      this.phase = Objects.requireNonNull(phase, "phase");
      return self(Option.PHASE);
    }

    /** The board or platform model; default {@link Model#GENERIC}. Checked against the architecture when built. */
    public B model(Model model) {
      this.model = Objects.requireNonNull(model, "model");
      return self(Option.MODEL);
    }

    /**
     * The target architecture; default the image's (the ELF header of its {@code /bin/sh}, see
     * {@link Architecture#of}), or this machine's for options built without an image.
     */
    public B arch(Architecture arch) {
      this.arch = Objects.requireNonNull(arch, "arch");
      return self(Option.ARCH);
    }

    /** Trusted boot (UKI): no GRUB, no dracut initrd, systemd-boot packages. */
    public B trustedBoot(boolean on) {
      this.trustedBoot = on;
      return self(Option.TRUSTED_BOOT);
    }

    /** FIPS mode: FIPS provider build, the dracut {@code fips} module, {@code KAIROS_FIPS="true"}. */
    public B fips(boolean on) {
      this.fips = on;
      return self(Option.FIPS);
    }

    /** Adds a provider (repeatable); any provider makes the image {@code standard}. */
    public B provider(Provider provider) {
      Objects.requireNonNull(provider, "provider");
      for (Provider p : providers) {
        if (p.name().equals(provider.name())) {
          throw new IllegalArgumentException("provider '" + provider.name() + "' given twice");
        }
      }
      providers.add(provider);
      return self(Option.PROVIDERS);
    }

    /**
     * Loads stage extensions from the host directory {@code dir}.
     */
    public B stageExtensions(Path dir) {
      this.stageExtensions = true;
      this.stageExtensionsDir = Optional.of(Objects.requireNonNull(dir, "dir"));
      return self(Option.STAGE_EXTENSIONS);
    }

    /**
     * Loads stage extensions from the host directory named by {@value #STAGE_EXTENSIONS_ENV}, or,
     * when it is unset, from {@value #DEFAULT_STAGE_EXTENSIONS_DIR} inside the image.
     */
    public B stageExtensions() {
      this.stageExtensions = true;
      String env = environment.get(STAGE_EXTENSIONS_ENV);
      this.stageExtensionsDir = env == null || env.isBlank() ? Optional.empty() : Optional.of(Path.of(env));
      return self(Option.STAGE_EXTENSIONS);
    }

    /** The environment {@link #stageExtensions()} reads (default: this process's). For tests. */
    public B environment(Map<String, String> env) {
      this.environment = Map.copyOf(env);
      @SuppressWarnings("unchecked")
      B b = (B) this;
      return b;
    }

    /** Adds steps not to run. */
    public B skip(Step... steps) {
      for (Step s : steps) {
        skipped.add(Objects.requireNonNull(s, "step"));
      }
      return self(Option.SKIP);
    }

    /**
     * Adds steps not to run, by their {@code steps-info} names, comma-separated.
     *
     * @throws IllegalArgumentException naming an unknown step and listing the valid ones
     */
    public B skip(String commaSeparatedNames) {
      skipped.addAll(Step.parseList(commaSeparatedNames));
      return self(Option.SKIP);
    }

    /** How much the build logs; default {@link LogLevel#INFO}. */
    public B logLevel(LogLevel level) {
      this.logLevel = Objects.requireNonNull(level, "level");
      return self(Option.LOG_LEVEL);
    }

    /** Where the Kairos binaries come from; default {@link FrameworkSource#none()}. */
    public B framework(FrameworkSource source) {
      this.framework = Objects.requireNonNull(source, "source");
      return self(Option.FRAMEWORK);
    }

    /** Whether {@link #arch(Architecture)} was called. */
    protected boolean hasArch() {
      return arch != null;
    }

    /** {@link #buildOptions(Optional, String)} with this machine's architecture as the default. */
    protected BuildOptions buildOptions() {
      return buildOptions(Optional.of(hostArch()), "this machine's");
    }

    private static Architecture hostArch() {
      try {
        return Architecture.host();
      } catch (UnsupportedTargetException e) {
        throw new IllegalArgumentException("this machine's architecture is not supported; set arch(...): " + e.getMessage(), e);
      }
    }

    /**
     * Checks the combination and makes the options.
     *
     * @param defaultArch the architecture when none was set; empty when it is not known yet (a base
     *     image not yet unpacked): the checks that depend on it wait, and this machine's stands in
     * @param origin whose architecture the default is, for messages ("the image's")
     * @throws InvalidOptionException when the version is missing, the model needs another
     *     architecture, or FIPS is asked for on riscv64
     */
    protected BuildOptions buildOptions(Optional<Architecture> defaultArch, String origin) {
      if (version == null) {
        throw new InvalidOptionException(Option.VERSION, "a version is required (semver, e.g. v1.0.0)", "", "");
      }
      Optional<Architecture> known = arch != null ? Optional.of(arch) : defaultArch;
      String from = arch != null ? "" : " (" + origin + ")";
      if (known.isPresent() && fips && known.get() == Architecture.RISCV64) {
        throw new InvalidOptionException(Option.FIPS, "FIPS is not supported on riscv64" + from, "", "");
      }
      if (known.isPresent() && !model.supports(known.get())) {
        throw new InvalidOptionException(Option.MODEL, "model " + model.id() + " requires arm64 but the target architecture is "
            + known.get().id() + from, Architecture.ARM64.id(),
            "build for arm64: use an arm64 base, or set arch(Architecture.ARM64)");
      }
      Architecture saved = arch;
      if (arch == null) {
        arch = known.isPresent() ? known.get() : hostArch();
      }
      try {
        return new BuildOptions(this);
      } finally {
        arch = saved;
      }
    }
  }

  /** Builds {@link BuildOptions}. */
  public static final class Builder extends Setters<Builder> {
    private Builder() {}

    /**
     * Makes the options; with no image to look at, the architecture defaults to this machine's.
     *
     * @throws InvalidOptionException see {@link Setters#buildOptions(Optional, String)}
     */
    public BuildOptions build() {
      return buildOptions();
    }
  }
}
