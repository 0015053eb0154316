package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.ExtensionStage;
import dev.kairos.factory.core.api.Phase;
import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.cache.StepCache;
import dev.kairos.factory.core.api.cache.StepCacheReport;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.PackageSet;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockFormatException;
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
  private Optional<Resolved> resolved = Optional.empty();

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
      Optional<Resolved> packages = resolvedPackages();
      finished("resolve", began);
      if (packages.isEmpty()) {
        off = true;
      } else {
        seed.put("packages", packages.get().digest());
        inputs = withInput("packages", packages.get().digest());
        resolved = packages;
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
    if (resolved.isPresent() && resolved.get().ran()) {
      // kept as long as the install phase's end is: the note is found by the indexes, the entry by its result
      store.keepNote(resolved.get().noteKey(), chain, resolved.get().digest() + " " + resolved.get().installs(),
          ctx.events());
    }
    resolved = Optional.empty();
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

  /**
   * The lock of the install phase kept with its end, when that end was restored and the image's
   * indexes are the ones the lock was made from: the listing would give the same packages, files
   * and hashes. Empty otherwise (then {@link #keepLock} keeps the new one).
   */
  Optional<Lock> keptLock(PackageManager.Locking locking, PackageManager pm)
      throws IOException {
    Optional<String> key = lockKey(locking, pm);
    if (key.isEmpty() || refresh || !applied.equals(Optional.of(chain))) {
      return Optional.empty();
    }
    Optional<String> text = store.note(key.get());
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      var lock = Lock.parse("the step cache's lock " + key.get().substring(0, 16), text.get());
      ctx.events().log(KairosEvent.Level.INFO, "step cache: reused the lock kept with " + chain.substring(0, 16)
          + " (the install phase restored, the same indexes; " + lock.packages().size() + " packages)");
      return Optional.of(lock);
    } catch (LockFormatException e) {
      ctx.events().log(KairosEvent.Level.WARN, "step cache: the kept lock " + key.get().substring(0, 16)
          + " is damaged (" + e.getMessage() + "); the packages are listed anew");
      return Optional.empty();
    }
  }

  /** Keeps the lock made after the install phase with the phase's end entry, for {@link #keptLock}. */
  void keepLock(Lock lock, PackageManager.Locking locking, PackageManager pm)
      throws IOException {
    Optional<String> key = lockKey(locking, pm);
    if (key.isPresent() && !off && applied.equals(Optional.of(chain))) {
      store.keepNote(key.get(), chain, lock.format(), ctx.events());
    }
  }

  /** The lock's key: the install phase's end (the packages installed) and the image's indexes (their files). */
  private Optional<String> lockKey(PackageManager.Locking locking, PackageManager pm) throws IOException {
    if (off || phase != Phase.INSTALL || locking.indexes().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new StepKeys().put("lock", chain)
        .put("indexes", StepKeys.indexes(ctx.root(), locking.indexes().get(), pm)).digest());
  }

  /** Where the indexes are put in the image for the dry run; removed again after it. */
  private static final ImagePath INDEXES = ImagePath.of("/tmp/kairos-resolve-indexes");

  /**
   * What the dry run resolved to.
   *
   * @param digest the digest of what it printed (the key's input)
   * @param installs how many packages it would install, for the message
   * @param noteKey the key it is kept under: the root, the commands and the indexes it ran on
   * @param ran whether it ran (else it came from a note)
   */
  private record Resolved(String digest, long installs, String noteKey, boolean ran) {}

  /**
   * The dry run, with the indexes an earlier build kept (when the store keeps them): moved into the
   * image, brought up to date there by the package manager (which fetches only what changed), and
   * moved back. When the indexes are then the same as those of an earlier dry run of the same
   * request on the same root, that run's result is taken instead of simulating again.
   */
  private Optional<Resolved> resolveIn(PackageManager pm, PackageManager.Resolution resolution, Optional<Path> kept)
      throws IOException {
    RootFs root = ctx.root();
    if (root.exists(INDEXES)) {
      root.deleteRecursively(INDEXES);
    }
    root.createDirectories(INDEXES);
    Path inImage = root.hostPath(INDEXES, true);
    try {
      if (kept.isPresent()) {
        moveFiles(kept.get(), inImage);
      }
      CommandResult u = ctx.runner().run(root, withIndexes(resolution.update()).build());
      if (!u.succeeded()) {
        ctx.events().log(KairosEvent.Level.WARN, "step cache: off: updating the package indexes failed (exit "
            + u.exitCode() + "): " + u.outputTail());
        return Optional.empty();
      }
      String noteKey = new StepKeys().put("resolve", chain).put("update", commandText(resolution.update()))
          .put("simulate", commandText(resolution.simulate())).put("indexes", StepKeys.indexes(root, INDEXES, pm))
          .digest();
      if (!refresh) {
        Optional<Resolved> known = store.note(noteKey).flatMap(n -> parseResolved(n, noteKey));
        if (known.isPresent()) {
          ctx.events().log(KairosEvent.Level.INFO, "step cache: reused the dry run of " + noteKey.substring(0, 16)
              + " (the same indexes and request)");
          return known;
        }
      }
      OutputText out = new OutputText(Integer.MAX_VALUE);
      CommandResult r = ctx.runner().run(root, withIndexes(resolution.simulate()).output(out).build());
      if (!r.succeeded()) {
        ctx.events().log(KairosEvent.Level.WARN, "step cache: off: resolving the packages failed (exit " + r.exitCode()
            + "): " + r.outputTail());
        return Optional.empty();
      }
      return Optional.of(new Resolved(StepKeys.sha256(out.text()),
          out.text().lines().filter(l -> l.startsWith("Inst ")).count(), noteKey, true));
    } finally {
      try {
        if (kept.isPresent()) {
          clearFiles(kept.get());
          moveFiles(inImage, kept.get());
        }
      } finally {
        root.deleteRecursively(INDEXES);
      }
    }
  }

  private static String commandText(Command c) {
    return c.argv() + " " + new java.util.TreeMap<>(c.env());
  }

  private static Command.Builder withIndexes(Command c) {
    return c.toBuilder().env(PackageManager.RESOLVE_INDEXES_ENV, INDEXES.toString());
  }

  /** A kept dry run's result: its digest and count; empty (a miss) when the note is not one. */
  private static Optional<Resolved> parseResolved(String note, String noteKey) {
    String[] f = note.trim().split(" ");
    if (f.length != 2 || !f[0].matches("[0-9a-f]{64}") || !f[1].matches("[0-9]{1,9}")) {
      return Optional.empty();
    }
    return Optional.of(new Resolved(f[0], Long.parseLong(f[1]), noteKey, false));
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
   * What the install phase's package steps would install now, from the package manager's dry run;
   * empty (and the cache off) when it cannot say.
   */
  private Optional<Resolved> resolvedPackages() throws IOException {
    var o = ctx.options();
    boolean packages = !o.isSkipped(Step.INSTALL_PACKAGES);
    boolean kernel = !o.isSkipped(Step.INSTALL_KERNEL);
    if (ctx.distro().family() == Family.HADRON || !packages && !kernel) {
      return Optional.of(new Resolved("none", 0, "", false));
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
    Optional<PackageManager.Resolution> resolution = pm.resolve(wanted);
    if (resolution.isEmpty()) {
      ctx.events().log(KairosEvent.Level.INFO, "step cache: off: " + pm.name() + " cannot say what it would install,"
          + " so a cached install phase could be stale");
      return Optional.empty();
    }
    Optional<Resolved> r;
    Optional<StepCache.KeptIndexes> kept = store.packageIndexes();
    if (kept.isEmpty()) {
      r = resolveIn(pm, resolution.get(), Optional.empty());
    } else {
      try (StepCache.KeptIndexes k = kept.get()) {
        r = resolveIn(pm, resolution.get(), Optional.of(k.directory()));
      }
    }
    r.ifPresent(x -> ctx.events().log(KairosEvent.Level.INFO, "step cache: packages resolved to "
        + x.digest().substring(0, 16) + " (" + x.installs() + " to install)"));
    return r;
  }
}
