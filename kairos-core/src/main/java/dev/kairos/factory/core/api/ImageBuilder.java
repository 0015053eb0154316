package dev.kairos.factory.core.api;

import dev.kairos.factory.core.api.cache.StepCache;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.api.validate.Validator;
import dev.kairos.factory.core.internal.pipeline.Pipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Says what to build from a base image: the options of {@link BuildOptions.Setters} plus how to
 * run commands, where events go and where to unpack images. Made by {@link Kairos#from} or
 * {@link Kairos#fromRoot}; {@link #plan()} is a dry run, {@link #build()} runs the build.
 *
 * <pre>{@code
 * try (KairosBuild build = Kairos.fromRoot(RootFs.at(Path.of("/var/tmp/rootfs")))
 *     .version("v1.0.0")
 *     .framework(FrameworkSource.directory(Path.of("framework")))
 *     .stageExtensions(Path.of("extensions"))
 *     .runner(Runners.chroot())
 *     .onEvent(System.out::println)
 *     .build()) {
 *   build.validate().requireValid();
 * }
 * }</pre>
 */
public final class ImageBuilder extends BuildOptions.Setters<ImageBuilder> {
  private final Optional<ImageSource> source;
  private RootFs root;
  private CommandRunner runner;
  private final List<EventListener> listeners = new ArrayList<>();
  private Path workDirectory;
  private List<DistroStrategy> strategies;
  private SourceDate sourceDate;
  private Optional<RootFs> frameworkTree;
  private final Map<String, RootFs> providerTrees = new LinkedHashMap<>();
  private Optional<Lock> replay = Optional.empty();
  private Optional<String> lockMirror = Optional.empty();
  /** The source the root was made from: {@link #source}, or what it gave for a replay. */
  private ImageSource materialized;
  private Optional<StepCache> stepCache = Optional.empty();
  private boolean refreshStepCache;
  private int parallelDownloads;

  ImageBuilder(ImageSource source) {
    this.source = Optional.of(Objects.requireNonNull(source, "source"));
  }

  ImageBuilder(RootFs root) {
    this.source = Optional.empty();
    this.root = Objects.requireNonNull(root, "root");
  }

  /** How commands run inside the image; default {@link Runners#chroot()} (needs root on Linux). */
  public ImageBuilder runner(CommandRunner runner) {
    this.runner = Objects.requireNonNull(runner, "runner");
    return this;
  }

  /** Adds a listener for progress, step and command-output events. */
  public ImageBuilder onEvent(EventListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * A directory for unpacked images (the base image's root under {@code rootfs}, framework and
   * provider images beside it). Needed when the base, the framework or a provider is an image;
   * the library makes no temporary directories of its own.
   */
  public ImageBuilder workDirectory(Path dir) {
    this.workDirectory = Objects.requireNonNull(dir, "dir");
    return this;
  }

  /** The distro strategies to use; default those found by {@link Distros#installed()}. */
  public ImageBuilder distros(List<DistroStrategy> strategies) {
    this.strategies = List.copyOf(strategies);
    return this;
  }

  /**
   * The timestamp outputs clamp to, also given as {@code SOURCE_DATE_EPOCH} to every command run in
   * the image; default {@link SourceDate#fromInputs}: {@code SOURCE_DATE_EPOCH}, else the base
   * image's creation time (or the date an earlier install phase on this root recorded), else the
   * newest change of its package database.
   */
  public ImageBuilder sourceDate(SourceDate date) {
    this.sourceDate = Objects.requireNonNull(date, "date");
    return this;
  }

  /**
   * Replays {@code lock}: the base must hold the lock's base packages, the install steps install
   * exactly the locked versions (dependencies held to the locked set), every package file's
   * SHA-256 is verified before it is unpacked, and the build takes the lock's source date unless
   * {@link #sourceDate} is set. A base, package or hash that differs fails the build with a
   * {@link dev.kairos.factory.core.api.lock.LockMismatchException} naming it.
   *
   * <pre>{@code
   * KairosBuild b = Kairos.fromRoot(root).version("v1.0.0").lock(Lock.read(Path.of("kairos.lock")))
   *     .lockMirror("https://snapshot.debian.org/archive/debian/20240101T000000Z/ bookworm main").build();
   * }</pre>
   */
  public ImageBuilder lock(Lock lock) {
    this.replay = Optional.of(Objects.requireNonNull(lock, "lock"));
    return this;
  }

  /**
   * A further repository a replay looks in after the build cache and the image's own
   * repositories, e.g. a snapshot archive or a local repository: a URL (a flat repository, as
   * made by {@code dpkg-scanpackages}), or a URL followed by a suite and components
   * ({@code "URL bookworm main"}). It is in the image only while packages install.
   *
   * @throws IllegalArgumentException when {@code mirror} is not an http, https or file URL
   */
  public ImageBuilder lockMirror(String mirror) {
    if (mirror == null || !mirror.matches("(https?|file):/\\S+( \\S+)*")) {
      throw new IllegalArgumentException("a lock mirror is an http(s) or file URL, optionally followed by a suite and"
          + " components, got '" + mirror + "'");
    }
    this.lockMirror = Optional.of(mirror);
    return this;
  }

  /**
   * Fetches the package files of each install (the base packages, the kernel) {@code connections}
   * at a time before the package manager runs, which otherwise downloads them one after another.
   * 0, the default, leaves the downloads to the package manager. Today only apt can list its
   * downloads; other package managers download as before.
   *
   * <p>It pays where each request is slow, a mirror far away: behind 50 ms more a request, the
   * Debian base list's download took 9 s instead of 14.4 s. On a near mirror it costs more than it
   * saves, since listing the downloads is one more run of the package manager (1.9–4.2 s an install):
   * with a mirror a few milliseconds away a cold install phase took 8–13 s longer (measurements and
   * how to repeat them: docs/benchmarks.md). It changes no byte of the image,
   * so it is not part of the step cache's key.
   *
   * @param connections 0 (off) or how many files to fetch at a time, 1 to 16
   * @throws IllegalArgumentException when {@code connections} is outside 0..16
   */
  public ImageBuilder parallelDownloads(int connections) {
    if (connections < 0 || connections > 16) {
      throw new IllegalArgumentException("parallel downloads are 0 (off) or 1 to 16 connections, got " + connections);
    }
    this.parallelDownloads = connections;
    return this;
  }

  /**
   * Keeps snapshots of the root in {@code cache} after the steps worth keeping, and restores
   * instead of running the steps whose key it already holds. A key covers everything that can
   * change the root up to that step: the base, the resolved package versions, the options, the
   * framework and providers, the stage extensions run so far, the source date and this library's
   * version. {@link KairosBuild#stepCache()} says what was reused.
   *
   * <pre>{@code
   * Kairos.from(base).version("v1.0.0").workDirectory(work).stepCache(OciStepCache.at(cacheDir)).build();
   * }</pre>
   */
  public ImageBuilder stepCache(StepCache cache) {
    this.stepCache = Optional.of(Objects.requireNonNull(cache, "cache"));
    return this;
  }

  /** With {@link #stepCache}: restore nothing (every step runs) and save the results anew. */
  public ImageBuilder refreshStepCache() {
    this.refreshStepCache = true;
    return this;
  }

  /**
   * The options as set, checked. Without {@link #arch}, the architecture is the image's (the ELF
   * header of its {@code /bin/sh}, see {@link Architecture#of}); for a base image not unpacked yet
   * it is not known, so this machine's stands in and the checks that depend on it (model, FIPS)
   * run again when {@link #plan()} or {@link #build()} has unpacked it.
   *
   * @throws InvalidOptionException on a bad combination (see {@link BuildOptions.Setters#buildOptions(Optional, String)})
   */
  public BuildOptions options() throws IOException {
    BuildOptions o = root == null || hasArch() ? buildOptions(Optional.empty(), "not known before the image is unpacked")
        : buildOptions(Optional.of(imageArch(root)), "the image's");
    for (Provider p : o.providers()) {
      if (o.phase().includes(Phase.INSTALL) && !o.isSkipped(Step.BUILD_PROVIDER) && p.source() == FrameworkSource.none()) {
        throw new InvalidOptionException(BuildOptions.Option.PROVIDERS, "provider " + p + " needs its binaries"
            + " (nothing is downloaded)", p.name(), "Provider." + p.name() + "(...).from(FrameworkSource.directory(...))");
      }
    }
    boolean needsWork = source.isPresent() || o.framework() instanceof FrameworkSource.Image
        || o.providers().stream().anyMatch(p -> p.source() instanceof FrameworkSource.Image);
    if (needsWork && workDirectory == null) {
      throw new IllegalArgumentException("an image source needs a workDirectory(...) to unpack into");
    }
    return o;
  }

  /** The architecture of {@code root}'s binaries, or this machine's for a tree without any. */
  private static Architecture imageArch(RootFs root) throws IOException {
    Optional<Architecture> a = Architecture.of(root);
    return a.isPresent() ? a.get() : Architecture.host();
  }

  /**
   * Plans the build without changing the image (a base image is unpacked into the work directory
   * first, since the plan depends on what it holds).
   */
  public BuildPlan plan() throws IOException {
    return pipeline(options()).plan();
  }

  /**
   * Runs the build: unpacks what needs unpacking, runs the phases, and returns the built image.
   * Nothing is written before the options are checked.
   *
   * @throws StepFailedException naming the failed step, with the command, its exit code and output
   *     tail when a command failed; the image is left as after the last good step
   */
  public KairosBuild build() throws IOException {
    BuildOptions o = options();
    EventListener events = EventListener.all(listeners);
    Pipeline pipeline = pipeline(o);
    if (stepCache.isPresent()) {
      pipeline.stepCache(stepCache.get(), refreshStepCache, source.map(ImageSource::description).orElse("root"));
    }
    pipeline.run();
    Validator validator = Validator.builder().trustedBoot(pipeline.options().trustedBoot())
        .distros(strategies()).build();
    Optional<Lock> lock = pipeline.lock().map(l -> withSources(l, pipeline.options()));
    return new KairosBuild(root, source, sourceDate(), events, validator, lock, pipeline.stepCacheReport(),
        pipeline.stepCacheKeysTheRoot() ? stepCache : Optional.empty());
  }

  /** The pipeline for {@code o}; the base, framework and provider images are unpacked once, on first use. */
  private Pipeline pipeline(BuildOptions o) throws IOException {
    EventListener events = EventListener.all(listeners);
    if (root == null) {
      // Not a step of kairos-init's, but a rebuild spends its time here too: timed as one.
      long start = System.nanoTime();
      events.onEvent(new KairosEvent.StepStarted("base", "lays out the base image in the work directory"));
      // A replay starts from what the lock recorded of the base (exact packages, a digest).
      materialized = replay.isPresent() ? source.orElseThrow().replaying(replay.get(), lockMirror) : source.orElseThrow();
      root = materialized.materialize(workDirectory.resolve("rootfs"), events);
      events.onEvent(new KairosEvent.StepFinished("base", java.time.Duration.ofNanos(System.nanoTime() - start), false));
      o = options(); // the image's architecture is known now: default to it, check the model against it
    }
    if (frameworkTree == null) {
      frameworkTree = unpack(o.framework(), "framework", events);
    }
    for (Provider p : o.providers()) {
      if (!providerTrees.containsKey(p.name())) {
        unpack(p.source(), "provider-" + p.name(), events).ifPresent(t -> providerTrees.put(p.name(), t));
      }
    }
    return Pipeline.create(root, runner(), events, o, strategies(), frameworkTree, providerTrees, Kairos.VERSION,
        sourceDate(), replay, lockMirror, parallelDownloads);
  }

  /** {@code lock} with what only the builder knows: the base's source and the framework and provider sources. */
  private Lock withSources(Lock lock, BuildOptions o) {
    Lock.Builder b = lock.toBuilder().base("source", source.map(ImageSource::description).orElse("root"));
    if (materialized != null) {
      materialized.lockEntries(root).forEach(b::base);
    }
    if (o.framework() != FrameworkSource.none()) {
      b.source("framework", o.framework().description());
    }
    o.providers().stream().filter(p -> p.source() != FrameworkSource.none())
        .forEach(p -> b.source("provider." + p.name(), p.source().description()));
    return b.build();
  }

  /** Taken from the inputs before the first step changes the image (see {@link SourceDate#fromInputs}). */
  private SourceDate sourceDate() throws IOException {
    if (sourceDate == null && replay.isPresent()) {
      sourceDate = SourceDate.of(java.time.Instant.ofEpochSecond(replay.get().sourceDate()));
    }
    if (sourceDate == null) {
      Optional<java.time.Instant> created = source.isPresent() ? source.get().created(root) : Optional.empty();
      if (created.isEmpty()) {
        // An init-only run on a root whose install phase ran earlier: that phase's date, not the
        // package database it has since changed.
        created = Pipeline.recordedSourceDate(root);
      }
      sourceDate = SourceDate.fromInputs(System.getenv(), created, root);
    }
    return sourceDate;
  }

  private CommandRunner runner() {
    if (runner == null) {
      runner = Runners.chroot();
    }
    return runner;
  }

  private List<DistroStrategy> strategies() {
    return strategies != null ? strategies : Distros.installed();
  }

  private Optional<RootFs> unpack(FrameworkSource src, String name, EventListener events) throws IOException {
    if (src instanceof FrameworkSource.Directory d) {
      return Optional.of(RootFs.at(d.dir()));
    }
    if (src instanceof FrameworkSource.Image i) {
      return Optional.of(i.image().materialize(workDirectory.resolve(name), events));
    }
    return Optional.empty();
  }
}
