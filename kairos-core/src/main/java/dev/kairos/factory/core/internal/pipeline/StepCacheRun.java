package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.ExtensionStage;
import dev.kairos.factory.core.api.Phase;
import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.cache.StepCache;
import dev.kairos.factory.core.api.cache.StepCacheReport;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.PackageSet;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.fs.ImagePath;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The step cache during one pipeline run. Each slot of a phase gets a key chained from the one
 * before it (its name, what its actions do, the stage extensions it runs); the phase's first key
 * covers every input that can change the root (see {@link #start()}). Snapshots are kept after the
 * slots worth keeping: the package installs, the initrd, every stage-extension slot that runs and
 * the slot just before it (a user changes extensions most: a change re-runs exactly the
 * extension's slot and those after it), and the end of each phase. At a phase's start the deepest kept slot
 * whose key the store holds is restored, and the slots up to it are reported as reused.
 */
final class StepCacheRun {
  /** The steps that take long enough to keep a snapshot after, besides stage extensions and phase ends. */
  private static final Set<Step> KEPT = Set.of(Step.INSTALL_PACKAGES, Step.INSTALL_KERNEL, Step.INITRD);

  /** One slot of a phase, as the cache sees it. */
  record Slot(String name, boolean skipped, Optional<Step> step, Optional<ExtensionStage> stage, List<Action> actions) {}

  private final StepContext ctx;
  private final StepCache store;
  private final boolean refresh;
  private final String base;
  private boolean off;
  private Map<String, String> inputs;
  private String chain;
  private Optional<String> applied = Optional.empty();
  private StepCache.Mark mark;
  private final List<String> sinceApplied = new ArrayList<>();
  private final List<String> restored = new ArrayList<>();
  private final List<String> reused = new ArrayList<>();
  private final List<String> ran = new ArrayList<>();
  private final List<String> saved = new ArrayList<>();
  // the phase under way
  private List<Slot> slots = List.of();
  private List<String> keys = List.of();
  private Phase phase;

  StepCacheRun(StepContext ctx, StepCache store, boolean refresh, String base) {
    this.ctx = ctx;
    this.store = store;
    this.refresh = refresh;
    this.base = base;
  }

  /**
   * The inputs of the first key, taken from the root as it was given and the options: the base
   * (where it came from and its tree), the library's version, architecture, model, variant, trusted
   * boot, FIPS, providers, the framework's and providers' trees, the skip list, the source date
   * (every command sees it), the distro and whether stage extensions are loaded.
   */
  void start() throws IOException {
    long began = System.nanoTime();
    ctx.events().onEvent(new KairosEvent.StepStarted("cacheKey", "step cache: digests the base, the framework and the providers for the key"));
    var o = ctx.options();
    StepKeys k = new StepKeys().put("library", ctx.initVersion()).put("base", base)
        .put("base.tree", StepKeys.tree(ctx.root(), false)).put("distro", ctx.distro().toString())
        .put("arch", o.arch().id()).put("model", o.model().id()).put("variant", o.variant())
        .put("trustedBoot", Boolean.toString(o.trustedBoot())).put("fips", Boolean.toString(o.fips()))
        .put("providers", String.join(",", o.providers().stream().map(p -> p.name() + "=" + p.version()).toList()))
        .put("framework", ctx.framework().isPresent() ? StepKeys.tree(ctx.framework().get(), true) : "none")
        .put("skip", String.join(",", o.skipped().stream().map(Step::id).sorted().toList()))
        .put("sourceDate", Long.toString(ctx.sourceDate().instant().getEpochSecond()))
        .put("stageExtensions", Boolean.toString(o.stageExtensions()));
    for (Map.Entry<String, RootFs> t : new java.util.TreeMap<>(ctx.providerTrees()).entrySet()) {
      k.put("provider." + t.getKey(), StepKeys.tree(t.getValue(), true));
    }
    inputs = k.parts();
    chain = k.digest();
    finished("cacheKey", began);
  }

  /** Times a part of the cache's own work as a step, so a rebuild shows where it spends its time. */
  private void finished(String name, long began) {
    ctx.events().onEvent(new KairosEvent.StepFinished(name, java.time.Duration.ofNanos(System.nanoTime() - began), false));
  }

  /**
   * Keys the slots of {@code phase} and restores the deepest kept one the store holds; returns the
   * index of the first slot to run ({@code slots.size() + 1} when the phase's end was restored).
   */
  int beginPhase(Phase phase, List<Slot> slots) throws IOException {
    this.phase = phase;
    this.slots = slots;
    StepKeys seed = new StepKeys().put("previous", chain).put("phase", phase.id());
    if (phase == Phase.INSTALL) {
      long began = System.nanoTime();
      ctx.events().onEvent(new KairosEvent.StepStarted("resolve", "step cache: the package manager's dry run for the key"));
      Optional<String> packages = resolvedPackages();
      finished("resolve", began);
      if (packages.isEmpty()) {
        off = true;
      } else {
        seed.put("packages", packages.get());
        inputs = withInput("packages", packages.get());
      }
    } else {
      seed.put("version", ctx.options().version().toString());
    }
    List<String> k = new ArrayList<>();
    String previous = seed.digest();
    for (Slot s : slots) {
      previous = slotKey(previous, s);
      k.add(previous);
    }
    k.add(new StepKeys().put("previous", previous).put("end", phase.id()).digest());
    keys = k;
    chain = k.get(k.size() - 1);
    if (off || refresh) {
      if (refresh && !off) {
        ctx.events().log(KairosEvent.Level.INFO, "step cache: --refresh: the " + phase.id() + " phase runs and is saved anew");
      }
      return 0;
    }
    long began = System.nanoTime();
    ctx.events().onEvent(new KairosEvent.StepStarted("restore:" + phase.id(), "step cache: looks up and restores the "
        + phase.id() + " phase"));
    try {
      return restoreDeepest();
    } finally {
      finished("restore:" + phase.id(), began);
    }
  }

  /** Restores the deepest kept slot of the phase the store holds; the index of the first slot to run. */
  private int restoreDeepest() throws IOException {
    for (int c = slots.size(); c >= 0; c--) {
      if (!kept(c)) {
        continue;
      }
      if (store.restore(keys.get(c), applied, ctx.root(), ctx.events())) {
        applied = Optional.of(keys.get(c));
        restored.add(keys.get(c));
        sinceApplied.clear();
        mark = null;
        ctx.events().log(KairosEvent.Level.INFO, "step cache: restored " + keys.get(c) + " (" + phase.id() + " phase"
            + (c == slots.size() ? ", all of it" : " up to " + slots.get(c).name()) + ")");
        return c + 1;
      }
    }
    return 0;
  }

  /** Slot {@code i} came from the cache. */
  void reused(int i) {
    String name = slots.get(i).name();
    reused.add(name);
    ctx.events().onEvent(new KairosEvent.CacheHit("step " + name, keys.get(i)));
  }

  /** Slot {@code i} ran; a snapshot is kept when it is worth keeping. */
  void ran(int i) throws IOException {
    ran.add(slots.get(i).name());
    sinceApplied.add(slots.get(i).name());
    if (!off && kept(i) && i < slots.size()) {
      save(keys.get(i));
    }
  }

  /** The phase ended (the install phase's record written): its end is kept unless it was restored. */
  void endPhase() throws IOException {
    String end = keys.get(keys.size() - 1);
    if (!off && !applied.equals(Optional.of(end))) {
      sinceApplied.add("end:" + phase.id());
      save(end);
    }
  }

  void finish() {
    ctx.events().log(KairosEvent.Level.INFO, "step cache: key " + chain + " (" + reused.size() + " reused, "
        + ran.size() + " ran)");
  }

  /**
   * Whether the final key names the root's content: the cache was on for the whole run (every
   * input resolved, every save taken) and not refreshed, so what is made from the root may be
   * kept and reused under that key.
   */
  boolean keysTheRoot() {
    return chain != null && !off && !refresh;
  }

  Optional<StepCacheReport> report() {
    return chain == null ? Optional.empty() : Optional.of(new StepCacheReport(chain, restored, reused, ran, saved));
  }

  /** Takes the mark the next save diffs against, once the root is in the state of {@link #applied}. */
  void markIfNeeded() throws IOException {
    if (!off && mark == null) {
      mark = store.mark(ctx.root());
    }
  }

  private boolean kept(int i) {
    if (i == slots.size()) {
      return true;
    }
    Slot s = slots.get(i);
    return !s.skipped() && (s.stage().isPresent() || s.step().map(KEPT::contains).orElse(false) || beforeExtensions(i));
  }

  /**
   * Whether the next slot that runs after {@code i} is a stage-extension slot: the root is kept
   * then, so that a changed extension re-runs exactly its own slot and the ones after it.
   */
  private boolean beforeExtensions(int i) {
    for (int j = i + 1; j < slots.size(); j++) {
      if (!slots.get(j).skipped()) {
        return slots.get(j).stage().isPresent();
      }
    }
    return false;
  }

  private void save(String key) throws IOException {
    try {
      if (mark == null) {
        throw new IllegalStateException("no mark taken before the steps ran");
      }
      store.save(new StepCache.Entry(key, applied, sinceApplied, inputs), mark, ctx.root(), ctx.events());
      saved.add(key);
      applied = Optional.of(key);
      sinceApplied.clear();
      mark = store.mark(ctx.root());
    } catch (IOException e) {
      // A cache that cannot take an entry (a full disk) must not fail the build: it only stops caching.
      off = true;
      ctx.events().log(KairosEvent.Level.WARN, "step cache: could not save " + key + ": " + e.getMessage()
          + "; the rest of this build is not cached");
    }
  }

  private String slotKey(String previous, Slot s) throws IOException {
    StepKeys k = new StepKeys().put("previous", previous).put("slot", s.name()).put("skipped", Boolean.toString(s.skipped()));
    if (s.stage().isPresent()) {
      // The extensions' content is the whole of what the slot does; its action's text names the
      // files' paths, which would make the same extensions from another place miss the cache.
      return k.put("extensions", ctx.extensions().fingerprint(s.stage().get())).digest();
    }
    StringBuilder actions = new StringBuilder();
    for (Action a : s.actions()) {
      // A help (the package prefetch of parallelDownloads) changes no byte of the root: a build
      // with it and one without must share their keys, so it is left out.
      if (!(a instanceof Action.Help)) {
        actions.append(describe(a)).append('\n');
      }
    }
    return k.put("actions", actions.toString()).digest();
  }

  /** What an action does, in full: a written file's bytes by digest, a command with its environment. */
  private static String describe(Action a) {
    if (a instanceof Action.WriteFile w) {
      return "write " + w.path() + " " + Integer.toOctalString(w.mode()) + " " + StepKeys.sha256(w.content());
    }
    if (a instanceof Action.Run r) {
      return "run " + r.cmd().argv() + " " + new java.util.TreeMap<>(r.cmd().env());
    }
    return a.describe();
  }

  private Map<String, String> withInput(String name, String value) {
    Map<String, String> m = new java.util.TreeMap<>(inputs);
    m.put(name, value);
    return m;
  }

  /** Where the kept indexes are put in the image for the dry run; removed again after it. */
  private static final ImagePath INDEXES = ImagePath.of("/tmp/kairos-resolve-indexes");

  /**
   * Runs the dry run with the indexes an earlier build kept: moved into the image, brought up to
   * date there by the package manager (which fetches only what changed), and moved back.
   */
  private CommandResult resolveWithKept(Command.Builder resolve, Path kept) throws IOException {
    RootFs root = ctx.root();
    if (root.exists(INDEXES)) {
      root.deleteRecursively(INDEXES);
    }
    root.createDirectories(INDEXES);
    Path inImage = root.hostPath(INDEXES, true);
    try {
      moveFiles(kept, inImage);
      return ctx.runner().run(root, resolve.env(PackageManager.RESOLVE_INDEXES_ENV, INDEXES.toString()).build());
    } finally {
      try {
        clearFiles(kept);
        moveFiles(inImage, kept);
      } finally {
        root.deleteRecursively(INDEXES);
      }
    }
  }

  /** Moves the regular files directly in {@code from} into {@code to}, times kept (apt asks the mirror by them). */
  private static void moveFiles(Path from, Path to) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(from)) {
      for (Path f : s) {
        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && !f.getFileName().toString().equals("lock")) {
          Files.move(f, to.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void clearFiles(Path dir) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path f : s) {
        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
          Files.delete(f);
        }
      }
    }
  }

  /**
   * A digest of what the install phase's package steps would install now, from the package
   * manager's dry run; empty (and the cache off) when it cannot say.
   */
  private Optional<String> resolvedPackages() throws IOException {
    var o = ctx.options();
    boolean packages = !o.isSkipped(Step.INSTALL_PACKAGES);
    boolean kernel = !o.isSkipped(Step.INSTALL_KERNEL);
    if (ctx.distro().family() == Family.HADRON || !packages && !kernel) {
      return Optional.of("none");
    }
    PackageSet set = Steps.packages(ctx);
    List<String> wanted = new ArrayList<>();
    if (packages) {
      wanted.addAll(set.base());
    }
    if (kernel) {
      wanted.addAll(set.kernel());
    }
    PackageManager pm = ctx.strategy().packageManager(ctx.distro());
    Optional<Command> resolve = pm.resolve(wanted);
    if (resolve.isEmpty()) {
      ctx.events().log(KairosEvent.Level.INFO, "step cache: off: " + pm.name() + " cannot say what it would install,"
          + " so a cached install phase could be stale");
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder();
    EventListener collect = e -> {
      if (e instanceof KairosEvent.CommandOutput line) {
        out.append(line.line()).append('\n');
      }
    };
    CommandResult r;
    Optional<StepCache.KeptIndexes> kept = store.packageIndexes();
    if (kept.isEmpty()) {
      r = ctx.runner().run(ctx.root(), resolve.get().toBuilder().output(collect).build());
    } else {
      try (StepCache.KeptIndexes k = kept.get()) {
        r = resolveWithKept(resolve.get().toBuilder().output(collect), k.directory());
      }
    }
    if (!r.succeeded()) {
      ctx.events().log(KairosEvent.Level.WARN, "step cache: off: resolving the packages failed (exit " + r.exitCode()
          + "): " + r.outputTail());
      return Optional.empty();
    }
    String digest = StepKeys.sha256(out.toString());
    ctx.events().log(KairosEvent.Level.INFO, "step cache: packages resolved to " + digest.substring(0, 16)
        + " (" + out.toString().lines().filter(l -> l.startsWith("Inst ")).count() + " to install)");
    return Optional.of(digest);
  }
}
