package dev.kairos.factory.core.api.yip;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.StepFailedException;
import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.internal.yip.StepExecutor;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Applies a stage of yip documents to a root file system at image build time, or reports what it
 * would do ({@link Builder#dryRun}). Within each step the conditionals are tested first (a failed
 * one skips the step; it is never an error), then every key runs in yip's fixed order. A failing
 * key or step does not stop the others; the {@link YipReport} lists every failure, and
 * {@link YipReport#requireSuccess()} raises them. With {@link Builder#strict}, the run stops at the
 * first failing step and throws.
 *
 * <p>Everything happens inside the image: users and groups are edited in its {@code /etc}, owner
 * names are resolved from its {@code /etc/passwd}, units are enabled as symlinks. Only
 * {@code commands}, {@code if}, {@code systemd_firstboot} and {@code packages} run programs, through
 * the {@link CommandRunner}; {@code packages} uses the distro's {@link PackageManager}. Keys that
 * need a running machine or the network are reported as {@link YipEffect.Kind#NOT_APPLICABLE}.
 *
 * <pre>{@code
 * YipExecutor exec = YipExecutor.builder()
 *     .runner(Runners.chroot())
 *     .architecture("amd64")
 *     .build();
 * YipReport report = exec.run(root, "after-install", Yip.lenient().load(Path.of("extensions")));
 * report.requireSuccess();
 *
 * // what would happen, without touching the image:
 * YipExecutor.builder().dryRun(true).build().run(root, "boot", docs).effects().forEach(System.out::println);
 * }</pre>
 */
public final class YipExecutor {
  private final CommandRunner runner;
  private final PackageManager packageManager;
  private final String architecture;
  private final boolean dryRun;
  private final boolean strict;
  private final Random random;
  private final SourceDate sourceDate;
  private final EventListener events;

  private YipExecutor(Builder b) {
    runner = b.runner;
    packageManager = b.packageManager;
    architecture = b.architecture;
    dryRun = b.dryRun;
    strict = b.strict;
    random = b.random;
    sourceDate = b.sourceDate;
    events = b.events;
  }

  /** A builder with no runner, the host architecture, a secure random and the default source date. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs {@code stage} of the documents of one source (a directory's files, in load order): steps
   * ordered by file and position, {@code after:} honoured.
   *
   * @throws InvalidInputException if an {@code after:} names no step or forms a cycle (nothing runs)
   * @throws StepFailedException in strict mode, at the first failing step
   */
  public YipReport run(RootFs root, String stage, List<YipDocument> documents) throws IOException {
    return execute(root, YipPlan.of(stage, documents));
  }

  /** Runs {@code stage} of one document, steps in list order, {@code after:} ignored (yip's apply). */
  public YipReport apply(RootFs root, String stage, YipDocument document) throws IOException {
    return execute(root, YipPlan.sequential(stage, document));
  }

  /** Runs a plan made with {@link YipPlan}. */
  public YipReport execute(RootFs root, YipPlan plan) throws IOException {
    Objects.requireNonNull(root, "root");
    StepExecutor.Settings settings = new StepExecutor.Settings(runner, this::packageManager, architecture, dryRun,
        strict, random, sourceDate.instant().getEpochSecond() / 86400, events);
    YipReport report = new StepExecutor(root, settings).run(plan);
    if (strict) {
      report.requireSuccess();
    }
    return report;
  }

  private PackageManager packageManager(RootFs root) throws IOException {
    if (packageManager != null) {
      return packageManager;
    }
    DistroInfo info = Distros.detect(root);
    return Distros.strategy(info.family()).packageManager(info);
  }

  /** {@code SOURCE_DATE_EPOCH} of {@code env} if set, else the clock's now. */
  static SourceDate defaultSourceDate(Map<String, String> env, Clock clock) throws InvalidInputException {
    String set = env.get(SourceDate.ENVIRONMENT_VARIABLE);
    return set == null || set.isBlank() ? SourceDate.of(clock.instant()) : SourceDate.fromEnvironment(env);
  }

  /** Options of an executor; every setter checks its value. */
  public static final class Builder {
    private CommandRunner runner;
    private PackageManager packageManager;
    private String architecture;
    private boolean dryRun;
    private boolean strict;
    private Random random = new SecureRandom();
    private SourceDate sourceDate;
    private EventListener events = EventListener.NONE;

    private Builder() {}

    /** Receives step started/finished events, command output, and errors and notes as log events. */
    public Builder onEvent(EventListener listener) {
      this.events = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Runs {@code commands}, {@code if}, {@code systemd_firstboot} and packages; without one they fail. */
    public Builder runner(CommandRunner runner) {
      this.runner = Objects.requireNonNull(runner, "runner");
      return this;
    }

    /** The package manager for {@code packages}; by default the distro strategy detected in the image. */
    public Builder packageManager(PackageManager packageManager) {
      this.packageManager = Objects.requireNonNull(packageManager, "packageManager");
      return this;
    }

    /** The image's architecture as Go names it, for {@code only_arch}; default the host's. */
    public Builder architecture(String goArch) {
      if (goArch == null || !goArch.matches("[a-z0-9]+")) {
        throw new IllegalArgumentException("architecture must be a Go name such as amd64 or arm64, got " + goArch);
      }
      this.architecture = goArch;
      return this;
    }

    /** Record every effect, change nothing, run nothing ({@code if:} is assumed true). */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /** Stop at the first failing step and throw {@link StepFailedException}. */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /** The source of password salts and {@code .Random}; a seeded one makes runs repeatable. */
    public Builder random(Random random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * The date written as the password change day in {@code /etc/shadow}. A build passes its own
     * source date; without one, {@code SOURCE_DATE_EPOCH} if set, else today, as yip writes it
     * (day 1 would make every password with ageing expired).
     */
    public Builder sourceDate(SourceDate sourceDate) {
      this.sourceDate = Objects.requireNonNull(sourceDate, "sourceDate");
      return this;
    }

    /**
     * @throws UnsupportedTargetException if no architecture was set and the host's is unknown
     * @throws InvalidInputException if no source date was set and {@code SOURCE_DATE_EPOCH} is malformed
     */
    public YipExecutor build() throws UnsupportedTargetException, InvalidInputException {
      if (architecture == null) {
        architecture = Architecture.host().id();
      }
      if (sourceDate == null) {
        sourceDate = defaultSourceDate(System.getenv(), Clock.systemUTC());
      }
      return new YipExecutor(this);
    }
  }
}
