package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.BuildOptions;
import dev.kairos.factory.core.api.BuildPlan;
import dev.kairos.factory.core.api.ExtensionStage;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.Phase;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.StepFailedException;
import dev.kairos.factory.core.api.cache.StepCache;
import dev.kairos.factory.core.api.cache.StepCacheReport;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockedPackage;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.distro.PackageSelection;
import dev.kairos.factory.core.api.distro.PackageSet;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.CommandRunner;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the Kairosification of one root: the install phase, then the init phase, each planned in
 * full when it starts (so the init phase sees what the install phase installed, and the kernel is
 * chosen once), with the stage extensions in their slots. A failing step stops the run with a
 * {@link StepFailedException} that says how far the image got.
 */
public final class Pipeline {
  /** A slot of a phase: a step, or the stage extensions of one stage. */
  private record Slot(Optional<Step> step, Optional<ExtensionStage> stage) {
    static Slot of(Step s) {
      return new Slot(Optional.of(s), Optional.empty());
    }

    static Slot of(ExtensionStage s) {
      return new Slot(Optional.empty(), Optional.of(s));
    }

    String name() {
      return step.map(Step::id).orElseGet(() -> "extensions:" + stage.orElseThrow().id());
    }
  }

  private static final List<Slot> INSTALL = List.of(Slot.of(ExtensionStage.BEFORE_INSTALL), Slot.of(Step.INSTALL_PACKAGES),
      Slot.of(Step.INSTALL_KERNEL), Slot.of(Step.BRANDING), Slot.of(Step.GRUB), Slot.of(Step.MISCELLANEOUS),
      Slot.of(ExtensionStage.INSTALL), Slot.of(ExtensionStage.AFTER_INSTALL), Slot.of(Step.CLOUDCONFIGS),
      Slot.of(Step.KAIROS_BINARIES), Slot.of(Step.PROVIDER_BINARIES), Slot.of(Step.BUILD_PROVIDER));
  private static final List<Slot> INIT = List.of(Slot.of(ExtensionStage.BEFORE_INIT), Slot.of(Step.KAIROS_RELEASE),
      Slot.of(Step.KERNEL), Slot.of(Step.INITRAMFS_CONFIGS), Slot.of(Step.INITRD), Slot.of(Step.SERVICES),
      Slot.of(Step.SSH_HARDENING), Slot.of(Step.WORKAROUNDS), Slot.of(Step.CLEANUP), Slot.of(ExtensionStage.INIT),
      Slot.of(ExtensionStage.AFTER_INIT));

  /** One planned slot: its actions, and those that run even when it fails. */
  private record Planned(Slot slot, Phase phase, boolean skipped, List<Action> actions, List<Action> always) {}

  private final StepContext ctx;
  private Optional<Lock> lock = Optional.empty();
  private Optional<StepCacheRun> cache = Optional.empty();

  private Pipeline(StepContext ctx) {
    this.ctx = ctx;
  }

  /**
   * A pipeline for {@code root}. Detects the distro; for an init-only run, takes the options the
   * install phase recorded in the image where the caller did not set them. Every command it runs
   * gets {@code SOURCE_DATE_EPOCH} from {@code sourceDate}.
   */
  public static Pipeline create(RootFs root, CommandRunner givenRunner, EventListener events, BuildOptions given,
      List<DistroStrategy> strategies, Optional<RootFs> framework, Map<String, RootFs> providerTrees,
      String initVersion, SourceDate sourceDate) throws IOException {
    return create(root, givenRunner, events, given, strategies, framework, providerTrees, initVersion, sourceDate,
        Optional.empty(), Optional.empty(), 0);
  }

  /**
   * As {@link #create(RootFs, CommandRunner, EventListener, BuildOptions, List, Optional, Map, String, SourceDate)},
   * the install steps held to {@code replay} when given (package files looked for in {@code mirror}
   * too), and each install's package files fetched {@code parallelDownloads} at a time before it
   * runs when that is above 0 (not part of the step cache's key: it changes no byte of the image).
   */
  public static Pipeline create(RootFs root, CommandRunner givenRunner, EventListener events, BuildOptions given,
      List<DistroStrategy> strategies, Optional<RootFs> framework, Map<String, RootFs> providerTrees,
      String initVersion, SourceDate sourceDate, Optional<Lock> replay, Optional<String> mirror,
      int parallelDownloads) throws IOException {
    CommandRunner runner = new SourceDateRunner(givenRunner, sourceDate);
    BuildOptions options = given.phase() == Phase.INIT ? InstallRecord.merge(root, given, events) : given;
    DistroInfo detected = Distros.detect(root, strategies);
    DistroInfo distro = detected.toBuilder().arch(options.arch()).build();
    DistroStrategy strategy = Distros.strategy(distro.family(), strategies);
    StageExtensions extensions = options.stageExtensions() ? YipStageExtensions.load(root, options, events) : StageExtensions.NONE;
    return new Pipeline(new StepContext(root, runner, events, options, distro, strategy, framework, providerTrees,
        extensions, initVersion, sourceDate, new LockSteps.Replay(replay, mirror), parallelDownloads));
  }

  /**
   * The source date an earlier install phase recorded in {@code root}, if any: a later run takes
   * it rather than the package database's time, which that install phase changed.
   */
  public static Optional<java.time.Instant> recordedSourceDate(RootFs root) throws IOException {
    return InstallRecord.sourceDate(root);
  }

  /** The options in effect (an init run's include what it took from the image). */
  public BuildOptions options() {
    return ctx.options();
  }

  public DistroInfo distro() {
    return ctx.distro();
  }

  /**
   * Plans without running anything. The init phase is planned against the image as it is now, so a
   * kernel that the install phase would install shows as "chosen when the init phase starts".
   */
  public BuildPlan plan() throws IOException {
    List<BuildPlan.PlannedStep> out = new ArrayList<>();
    for (Phase phase : List.of(Phase.INSTALL, Phase.INIT)) {
      if (ctx.options().phase().includes(phase)) {
        for (Planned p : planPhase(phase, true)) {
          out.add(new BuildPlan.PlannedStep(p.slot.name(), phase, p.skipped,
              p.actions.stream().map(Action::describe).toList(),
              p.actions.stream().flatMap(a -> a.file().stream()).toList(),
              p.actions.stream().flatMap(a -> a.command().stream()).map(c -> c.argv()).toList()));
        }
      }
    }
    PackageSet packages = ctx.distro().family() == dev.kairos.factory.core.api.distro.Family.HADRON
        ? new PackageSet(List.of(), List.of(), List.of(), List.of(), List.of(), List.of())
        : ctx.strategy().packages(PackageSelection.builder(ctx.distro()).arch(ctx.options().arch())
            .model(ctx.options().model()).trustedBoot(ctx.options().trustedBoot()).fips(ctx.options().fips()).build());
    return new BuildPlan(ctx.options(), ctx.distro().toString(), packages.base(), packages.kernel(), out);
  }

  /**
   * The lock the install phase recorded: the base's and the image's packages, the source date,
   * the Kairos version and the options (the caller adds what it knows of the sources). Empty
   * before {@link #run()}, without an install phase, or where the package manager keeps no lock.
   */
  public Optional<Lock> lock() {
    return lock;
  }

  /**
   * Uses {@code store} as the step cache for {@link #run()}: restores the longest run of steps
   * whose key it holds (none when {@code refresh}), and saves what it runs. {@code base} describes
   * where the root came from, for the key.
   */
  public void stepCache(StepCache store, boolean refresh, String base) {
    this.cache = Optional.of(new StepCacheRun(ctx, store, refresh, base));
  }

  /** What the step cache did in the last {@link #run()}; empty without a step cache. */
  public Optional<StepCacheReport> stepCacheReport() {
    return cache.flatMap(StepCacheRun::report);
  }

  /**
   * Whether the step cache's final key (see {@link #stepCacheReport()}) names the root's content
   * after the last {@link #run()}: artifacts made from the root may then be kept under it.
   */
  public boolean stepCacheKeysTheRoot() {
    return cache.map(StepCacheRun::keysTheRoot).orElse(false);
  }

  /** Runs the phases the options ask for. */
  public void run() throws IOException {
    String lastGood = null;
    if (cache.isPresent() && ctx.replay().lock().isPresent()) {
      ctx.events().log(KairosEvent.Level.INFO, "step cache: not used while a lock is replayed (every step runs)");
      cache = Optional.empty();
    }
    if (cache.isPresent()) {
      cache.get().start();
    }
    for (Phase phase : List.of(Phase.INSTALL, Phase.INIT)) {
      if (!ctx.options().phase().includes(phase)) {
        continue;
      }
      List<Planned> planned;
      try {
        planned = planPhase(phase, false);
      } catch (KairosException e) {
        throw failed(phase.id(), e, lastGood);
      }
      // A lock holds what the package steps installed: with both skipped there is nothing to hold,
      // and the root may have no package manager (or no shell) to ask.
      boolean installs = !ctx.options().skipped().containsAll(List.of(Step.INSTALL_PACKAGES, Step.INSTALL_KERNEL));
      Optional<PackageManager.Locking> locking = phase == Phase.INSTALL && installs ? LockSteps.locking(ctx) : Optional.empty();
      List<LockedPackage> base = List.of();
      if (locking.isPresent()) {
        Optional<List<LockedPackage>> listed = LockSteps.installed(ctx, locking.get());
        if (listed.isEmpty() && ctx.replay().lock().isPresent()) {
          throw new KairosException("cannot replay the lock: the installed packages could not be listed");
        }
        locking = listed.isPresent() ? locking : Optional.empty(); // nothing to record without a listing
        base = listed.orElse(List.of());
        if (ctx.replay().lock().isPresent()) {
          LockSteps.checkBase(ctx.replay().lock().get(), base); // before anything changes
        }
      } else if (phase == Phase.INSTALL && ctx.replay().lock().isPresent()) {
        throw new KairosException("a lock can be replayed only where the package manager keeps one (today apt);"
            + " this image's family is " + ctx.distro().family());
      }
      List<StepCacheRun.Slot> slots = planned.stream()
          .map(p -> new StepCacheRun.Slot(p.slot.name(), p.skipped, p.slot.step(), p.slot.stage(), p.actions)).toList();
      int first = cache.isPresent() ? cache.get().beginPhase(phase, slots) : 0;
      if (cache.isPresent() && first <= planned.size()) {
        cache.get().markIfNeeded();
      }
      for (int i = 0; i < planned.size(); i++) {
        Planned p = planned.get(i);
        String name = p.slot.name();
        if (p.skipped) {
          ctx.events().onEvent(new KairosEvent.StepFinished(name, Duration.ZERO, true));
          continue;
        }
        if (i < first) {
          cache.get().reused(i);
          lastGood = name;
          continue;
        }
        long start = System.nanoTime();
        ctx.events().onEvent(new KairosEvent.StepStarted(name, p.slot.step().map(Step::description)
            .orElse("stage extensions of " + p.slot.stage().map(ExtensionStage::id).orElse(""))));
        StepFailedException failure = null;
        try {
          for (Action a : p.actions) {
            a.apply(ctx);
          }
        } catch (IOException | RuntimeException e) {
          failure = failed(name, e, lastGood);
        }
        for (Action a : p.always) {
          try {
            a.apply(ctx);
          } catch (IOException | RuntimeException e) {
            if (failure == null) {
              failure = failed(name, e, lastGood);
            } else {
              failure.addSuppressed(e);
            }
          }
        }
        if (failure != null) {
          throw failure;
        }
        ctx.events().onEvent(new KairosEvent.StepFinished(name, Duration.ofNanos(System.nanoTime() - start), false));
        lastGood = name;
        if (cache.isPresent()) {
          cache.get().ran(i);
        }
      }
      boolean endReused = cache.isPresent() && first > planned.size();
      boolean lockReused = false;
      if (phase == Phase.INSTALL) {
        if (locking.isPresent()) {
          // Not a step of kairos-init's, but it takes time (apt reads its indexes): timed as one.
          long start = System.nanoTime();
          ctx.events().onEvent(new KairosEvent.StepStarted("lock", "lists the installed packages and their files for the lock"));
          // A restored install phase holds the packages its lock listed, from the same indexes: kept with it.
          Optional<Lock> kept = cache.isPresent() ? cache.get().keptLock(locking.get(), packageManager()) : Optional.empty();
          lockReused = kept.isPresent();
          lock = Optional.of(kept.isPresent()
              ? lockOf(kept.get().basePackages().values(), kept.get().packages().values())
              : record(locking.get(), base));
          ctx.events().onEvent(new KairosEvent.StepFinished("lock", Duration.ofNanos(System.nanoTime() - start), false));
        }
        if (!endReused) { // a restored phase end holds the record already
          InstallRecord.write(ctx.root(), ctx.options(), ctx.sourceDate());
        }
      }
      if (cache.isPresent()) {
        cache.get().endPhase();
        if (phase == Phase.INSTALL && lock.isPresent() && !lockReused) {
          cache.get().keepLock(lock.get(), locking.get(), packageManager());
        }
      }
    }
    if (cache.isPresent()) {
      cache.get().finish();
    }
  }

  /** The lock of the install phase that just ran; in a replay, checked against the replayed lock. */
  private Lock record(PackageManager.Locking locking, List<LockedPackage> base) throws IOException {
    List<LockedPackage> installed = LockSteps.installed(ctx, locking).orElse(List.of());
    if (ctx.replay().lock().isPresent()) {
      LockSteps.checkInstalled(ctx.replay().lock().get(), installed, "the image's package database after the install phase");
    }
    List<LockedPackage> packages = LockSteps.withFiles(ctx, locking, installed);
    return lockOf(LockSteps.baseWithFiles(ctx, locking, base, packages), packages);
  }

  private PackageManager packageManager() throws IOException {
    return ctx.strategy().packageManager(ctx.distro());
  }

  /** A lock of these packages, with this build's version, source date and options. */
  private Lock lockOf(java.util.Collection<LockedPackage> base, java.util.Collection<LockedPackage> packages) {
    BuildOptions o = ctx.options();
    Lock.Builder b = Lock.builder().kairosVersion(o.version().toString()).sourceDate(ctx.sourceDate().instant().getEpochSecond())
        .basePackages(base).packages(packages)
        .option("arch", o.arch().id()).option("model", o.model().id()).option("trusted-boot", Boolean.toString(o.trustedBoot()))
        .option("fips", Boolean.toString(o.fips())).option("distro", ctx.distro().distro() + "-" + ctx.distro().version())
        .option("skipped", o.skipped().isEmpty() ? "-" : String.join(",", o.skipped().stream().map(Step::id).sorted().toList()));
    o.providers().forEach(p -> b.option("provider." + p.name(), p.version()));
    return b.build();
  }

  private static StepFailedException failed(String step, Exception cause, String lastGood) {
    String state = lastGood == null ? "the root file system is left as it was before the build"
        : "the root file system is left as after step " + lastGood;
    return new StepFailedException(step, cause.getMessage() + "\n(" + state
        + "; this step may have changed it partly)", cause);
  }

  private List<Planned> planPhase(Phase phase, boolean dryRun) throws IOException {
    BuildOptions o = ctx.options();
    boolean phaseSkipped = o.skipped().contains(phase == Phase.INSTALL ? Step.INSTALL : Step.INIT);
    Optional<String> kernel = Optional.empty();
    if (phase == Phase.INIT && !phaseSkipped && needsKernel(o)) {
      try {
        kernel = Optional.of(ctx.strategy().chooseKernel(ctx.root(), o.model()));
      } catch (KairosException e) {
        if (!dryRun) {
          throw new KairosException("no kernel to boot: " + e.getMessage(), e);
        }
      }
    }
    List<Planned> out = new ArrayList<>();
    for (Slot slot : phase == Phase.INSTALL ? INSTALL : INIT) {
      boolean skipped = phaseSkipped || slot.step().map(o::isSkipped).orElse(false);
      if (skipped) {
        out.add(new Planned(slot, phase, true, List.of(), List.of()));
      } else if (slot.step().isPresent()) {
        Step s = slot.step().get();
        out.add(new Planned(slot, phase, false, Steps.plan(s, ctx, kernel), Steps.always(s, ctx)));
      } else {
        ExtensionStage st = slot.stage().orElseThrow();
        String what = ctx.extensions().describe(st);
        if (!what.isEmpty()) {
          out.add(new Planned(slot, phase, false,
              List.of(new Action.Deferred(what, c -> c.extensions().run(c, st))), List.of()));
        }
      }
    }
    return out;
  }

  private static boolean needsKernel(BuildOptions o) {
    return !o.isSkipped(Step.KERNEL) || (!o.trustedBoot() && !o.isSkipped(Step.INITRD));
  }
}
