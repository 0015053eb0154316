package dev.kairos.factory.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.ImageBuilder;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.cache.StepCache;
import dev.kairos.factory.core.api.cache.StepCacheReport;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.RecordingRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.testing.FakePackageManager;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.core.testing.SyntheticFramework;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's use of a step cache, with the fake package manager and a store that keeps whole
 * copies of the root (the real store, {@code OciStepCache}, is tested in kairos-oci and through the
 * CLI): what is reused, what runs again, and that a restored root equals a built one.
 */
class PipelineStepCacheTest {
  FileSystem host;
  Path extensions;
  RootFs framework;
  CopyStore store = new CopyStore();
  List<KairosEvent> events = new ArrayList<>();
  RecordingRunner runner;

  @BeforeEach
  void setUp() throws Exception {
    host = Jimfs.newFileSystem(Configuration.unix());
    extensions = Files.createDirectories(host.getPath("/extensions"));
    extension("after-install", "/etc/from-install", "install");
    extension("after-init", "/etc/from-init", "one");
    framework = InMemoryRootFs.create();
    SyntheticFramework.writeTo(framework);
  }

  @AfterEach
  void tearDown() throws IOException {
    host.close();
  }

  @Test
  void theSameBuildAgainReusesEveryStepAndLeavesTheSameTree() throws Exception {
    RootFs first = base();
    StepCacheReport cold = build(first, fake()).stepCache().orElseThrow();
    assertThat(cold.reused()).isEmpty();
    assertThat(cold.ran()).contains("installPackages", "installKernel", "initrd", "extensions:after-init");
    assertThat(cold.saved()).hasSizeGreaterThanOrEqualTo(5);

    RootFs second = base();
    StepCacheReport warm = build(second, fake()).stepCache().orElseThrow();
    assertThat(warm.ran()).isEmpty();
    assertThat(warm.reused()).isEqualTo(cold.ran());
    assertThat(warm.key()).isEqualTo(cold.key());
    assertThat(StepKeys.tree(second, true)).isEqualTo(StepKeys.tree(first, true));
    assertThat(events).filteredOn(e -> e instanceof KairosEvent.CacheHit c && c.what().startsWith("step "))
        .hasSize(cold.ran().size());
  }

  @Test
  void parallelDownloadsAreNoPartOfAnyKey() throws Exception {
    StepCacheReport cold = build(base(), fake(), extensions, 0).stepCache().orElseThrow();
    List<KairosEvent> coldEvents = List.copyOf(events);
    assertThat(commands(coldEvents)).noneMatch(c -> c.contains("--print-uris"));
    events.clear();
    store.entries.clear(); // run every step again, with the prefetch
    StepCacheReport prefetched = build(base(), fake(), extensions, 4).stepCache().orElseThrow();
    assertThat(commands(events)).filteredOn(c -> c.contains("--print-uris")).hasSize(2);
    assertThat(prefetched.reused()).isEmpty();
    assertThat(prefetched.saved()).isEqualTo(cold.saved());
    assertThat(prefetched.key()).isEqualTo(cold.key());
    // and so a build with it reuses what a build without it kept
    store.entries.clear();
    build(base(), fake(), extensions, 0);
    StepCacheReport warm = build(base(), fake(), extensions, 4).stepCache().orElseThrow();
    assertThat(warm.ran()).isEmpty();
    assertThat(warm.reused()).isEqualTo(cold.ran());
  }

  private static List<String> commands(List<KairosEvent> events) {
    return events.stream().filter(e -> e instanceof KairosEvent.Log l && l.message().startsWith("run: "))
        .map(e -> ((KairosEvent.Log) e).message()).toList();
  }

  @Test
  void theSameExtensionsFromAnotherDirectoryUnderOtherNamesReuseEveryStep() throws Exception {
    StepCacheReport cold = build(base(), fake()).stepCache().orElseThrow();
    // As the web server writes a request's extensions: its own directory and names, the same bytes.
    Path elsewhere = Files.createDirectories(host.getPath("/server/builds/b/inputs/stage-extensions"));
    Files.copy(extensions.resolve("10-after-init.yaml"), elsewhere.resolve("00-request.yaml"));
    Files.copy(extensions.resolve("10-after-install.yaml"), elsewhere.resolve("01-request.yaml"));
    StepCacheReport warm = build(base(), fake(), elsewhere).stepCache().orElseThrow();
    assertThat(warm.ran()).isEmpty();
    assertThat(warm.reused()).isEqualTo(cold.ran());
    assertThat(warm.key()).isEqualTo(cold.key());
  }

  @Test
  void aChangedAfterInitExtensionRunsExactlyTheStepsFromItOn() throws Exception {
    StepCacheReport cold = build(base(), fake()).stepCache().orElseThrow();
    extension("after-init", "/etc/from-init", "two");
    RootFs changed = base();
    StepCacheReport warm = build(changed, fake()).stepCache().orElseThrow();
    int at = cold.ran().indexOf("extensions:after-init");
    assertThat(warm.reused()).isEqualTo(cold.ran().subList(0, at));
    assertThat(warm.ran()).containsExactly("extensions:after-init");
    assertThat(changed.readString(ImagePath.of("/etc/from-init"))).isEqualTo("two\n");
    assertThat(warm.key()).isNotEqualTo(cold.key());
    // the root is the one a cold build with the changed extension makes
    store = new CopyStore();
    RootFs fresh = base();
    assertThat(build(fresh, fake()).stepCache().orElseThrow().reused()).isEmpty();
    assertThat(StepKeys.tree(changed, true)).isEqualTo(StepKeys.tree(fresh, true));
  }

  @Test
  void aChangedAfterInstallExtensionRunsExactlyTheStepsFromItOn() throws Exception {
    StepCacheReport cold = build(base(), fake()).stepCache().orElseThrow();
    extension("after-install", "/etc/from-install", "changed");
    RootFs changed = base();
    StepCacheReport warm = build(changed, fake()).stepCache().orElseThrow();
    int at = cold.ran().indexOf("extensions:after-install");
    assertThat(warm.reused()).as("every step before the changed extension").isEqualTo(cold.ran().subList(0, at))
        .contains("installPackages", "miscellaneous");
    assertThat(warm.ran()).as("the changed extension and every step after it, in both phases")
        .isEqualTo(cold.ran().subList(at, cold.ran().size())).contains("kairosRelease", "extensions:after-init");
    assertThat(changed.readString(ImagePath.of("/etc/from-install"))).isEqualTo("changed\n");
  }

  @Test
  void aNewPackageVersionInTheIndexInvalidatesTheInstallPhase() throws Exception {
    StepCacheReport cold = build(base(), fake()).stepCache().orElseThrow();
    StepCacheReport updated = build(base(), fake().withVersion("sudo", "1.9.13p3-1+deb12u1")).stepCache().orElseThrow();
    assertThat(updated.reused()).isEmpty();
    assertThat(updated.ran()).isEqualTo(cold.ran());
    assertThat(updated.key()).isNotEqualTo(cold.key());
    // and the same index again hits
    StepCacheReport same = build(base(), fake().withVersion("sudo", "1.9.13p3-1+deb12u1")).stepCache().orElseThrow();
    assertThat(same.ran()).isEmpty();
  }

  @Test
  void theSameIndexesReuseTheDryRunAndChangedOnesRunItAgain() throws Exception {
    build(base(), fake());
    assertThat(simulations()).as("the cold build's dry run").isEqualTo(1);
    StepCacheReport warm = build(base(), fake()).stepCache().orElseThrow();
    assertThat(simulations()).as("the same indexes and request: the kept result").isZero();
    assertThat(runner.argvs()).as("the indexes are still brought up to date").contains(List.of("apt-get", "-qq", "update"));
    assertThat(logged("step cache: reused the dry run of")).isTrue();
    assertThat(warm.ran()).isEmpty();
    // a new index that changes nothing this build installs: the dry run runs again, the steps are still reused
    StepCacheReport unrelated = build(base(), fake().withVersion("unrelated", "2.0-1")).stepCache().orElseThrow();
    assertThat(simulations()).isEqualTo(1);
    assertThat(logged("step cache: reused the dry run of")).isFalse();
    assertThat(unrelated.ran()).isEmpty();
    assertThat(unrelated.key()).isEqualTo(warm.key());
    // another request (the kernel skipped) on the same indexes runs it too
    build(base(), fake().withVersion("unrelated", "2.0-1"));
    assertThat(simulations()).isZero();
    Kairos.fromRoot(base()).distros(List.of(new TestDistro())).runner(runner = fake().installOn(Runners.recording()))
        .arch(Architecture.AMD64).version("1.0").framework(FrameworkSource.directory(framework.root()))
        .stageExtensions(extensions).skip(Step.INSTALL_KERNEL, Step.KERNEL, Step.INITRD)
        .sourceDate(SourceDate.of(Instant.ofEpochSecond(1_700_000_000))).stepCache(store).build();
    assertThat(simulations()).isEqualTo(1);
    // --refresh runs it whatever is kept
    Kairos.fromRoot(base()).distros(List.of(new TestDistro())).runner(runner = fake().installOn(Runners.recording()))
        .arch(Architecture.AMD64).version("1.0").framework(FrameworkSource.directory(framework.root()))
        .stageExtensions(extensions).sourceDate(SourceDate.of(Instant.ofEpochSecond(1_700_000_000))).stepCache(store)
        .refreshStepCache().build();
    assertThat(simulations()).isEqualTo(1);
  }

  @Test
  void aRestoredInstallPhaseReusesItsLockUntilTheImagesIndexesDiffer() throws Exception {
    Lock cold = lockedBuild(fake(), "1.0").lock().orElseThrow();
    assertThat(runs(TestLocking.FILES)).as("the cold build lists the packages' files").isPositive();
    assertThat(cold.packages()).isNotEmpty();
    assertThat(cold.packages().values()).allMatch(p -> p.sha256().isPresent());

    KairosBuild warm = lockedBuild(fake(), "1.0");
    assertThat(warm.stepCache().orElseThrow().ran()).isEmpty();
    assertThat(runs(TestLocking.FILES)).as("the restored install phase's lock is reused").isZero();
    assertThat(logged("step cache: reused the lock kept with")).isTrue();
    assertThat(warm.lock().orElseThrow()).isEqualTo(cold);
    assertThat(warm.lock().orElseThrow().format()).isEqualTo(cold.format());

    // another version re-runs the init phase only: the lock is reused, with the new version in it
    Lock v2 = lockedBuild(fake(), "2.0").lock().orElseThrow();
    assertThat(runs(TestLocking.FILES)).isZero();
    assertThat(v2.kairosVersion()).isEqualTo("v2.0.0");
    assertThat(v2.packages()).isEqualTo(cold.packages());

    // the restored image's indexes differ from those the lock was made from: it is made anew, from them
    for (RootFs saved : store.entries.values()) {
      ImagePath index = FakePackageManager.LISTS.resolve(FakePackageManager.INDEX_FILE);
      if (saved.isRegularFile(index)) {
        saved.writeString(index, "Package: sudo\nVersion: 9.9-9\n");
      }
    }
    Lock changed = lockedBuild(fake(), "1.0").lock().orElseThrow();
    assertThat(runs(TestLocking.FILES)).isPositive();
    assertThat(logged("step cache: reused the lock kept with")).isFalse();
    assertThat(changed.packages()).isNotEqualTo(cold.packages());
    // and that new lock is kept for the next build
    assertThat(lockedBuild(fake(), "1.0").lock().orElseThrow()).isEqualTo(changed);
    assertThat(runs(TestLocking.FILES)).isZero();
  }

  @Test
  void refreshRunsEverythingAndSavesAnew() throws Exception {
    build(base(), fake());
    int saved = store.saves;
    StepCacheReport refreshed = Kairos.fromRoot(base()).distros(List.of(new TestDistro()))
        .runner(fake().installOn(Runners.recording())).arch(Architecture.AMD64).version("1.0")
        .framework(FrameworkSource.directory(framework.root())).stageExtensions(extensions)
        .sourceDate(SourceDate.of(Instant.ofEpochSecond(1_700_000_000))).stepCache(store).refreshStepCache().build()
        .stepCache().orElseThrow();
    assertThat(refreshed.reused()).isEmpty();
    assertThat(store.saves).isGreaterThan(saved);
  }

  // ------------------------------------------------------------------ helpers

  static FakePackageManager fake() {
    return FakePackageManager.kernel(FakePackageManager.DEFAULT_KERNEL);
  }

  KairosBuild build(RootFs root, FakePackageManager pm) throws IOException {
    return build(root, pm, extensions);
  }

  KairosBuild build(RootFs root, FakePackageManager pm, Path extensionsDir) throws IOException {
    return builder(root, pm, extensionsDir, false, 0).build();
  }

  KairosBuild build(RootFs root, FakePackageManager pm, Path extensionsDir, int parallelDownloads) throws IOException {
    return builder(root, pm, extensionsDir, false, parallelDownloads).build();
  }

  /** A build with locks ({@link TestLocking}) on a base whose image keeps indexes, as Debian's does. */
  KairosBuild lockedBuild(FakePackageManager pm, String version) throws IOException {
    RootFs root = base();
    root.createDirectories(FakePackageManager.LISTS);
    for (String d : List.of("/var", "/var/lib", "/var/lib/apt", "/var/lib/apt/lists")) {
      root.setMtime(ImagePath.of(d), Instant.ofEpochSecond(1_600_000_000));
    }
    return builder(root, pm, extensions, true, 0).version(version).build();
  }

  ImageBuilder builder(RootFs root, FakePackageManager pm, Path extensionsDir, boolean locking, int parallelDownloads) {
    // the prefetch's listing prints no file, so it fetches nothing (PackagePrefetchTest fetches)
    runner = pm.installOn(Runners.recording()).when(c -> c.argv().contains("--print-uris"),
        (r, c) -> dev.kairos.factory.core.api.run.RecordingRunner.Reply.ok());
    if (locking) {
      TestLocking.installOn(runner);
    }
    events.clear();
    return Kairos.fromRoot(root).distros(List.of(new TestDistro(locking))).runner(runner)
        .arch(Architecture.AMD64).onEvent(events::add).version("1.0")
        .framework(FrameworkSource.directory(framework.root())).stageExtensions(extensionsDir)
        .sourceDate(SourceDate.of(Instant.ofEpochSecond(1_700_000_000))).stepCache(store)
        .parallelDownloads(parallelDownloads);
  }

  /** How many commands of the last build's runner were dry runs (apt-get -s), and how many named {@code program}. */
  long simulations() {
    return runner.argvs().stream().filter(a -> a.get(0).equals("apt-get") && a.contains("-s")).count();
  }

  long runs(String program) {
    return runner.argvs().stream().filter(a -> a.get(0).equals(program)).count();
  }

  boolean logged(String text) {
    return events.stream().anyMatch(e -> e instanceof KairosEvent.Log l && l.message().contains(text));
  }

  /** A Debian 12 base as a bootstrap leaves it. */
  static RootFs base() throws IOException {
    RootFs root = InMemoryRootFs.create();
    root.writeString(ImagePath.of("/etc/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
    root.writeString(ImagePath.of("/etc/machine-id"), "0123456789abcdef\n");
    root.writeString(ImagePath.of("/etc/hostname"), "builder\n");
    root.createDirectories(ImagePath.of("/var/lock"));
    for (String d : List.of("/etc", "/etc/machine-id", "/etc/hostname", "/etc/os-release", "/var", "/var/lock")) {
      root.setMtime(ImagePath.of(d), Instant.ofEpochSecond(1_600_000_000));
    }
    return root;
  }

  void extension(String stage, String path, String content) throws IOException {
    Files.writeString(extensions.resolve("10-" + stage + ".yaml"), String.join("\n", "stages:", "  " + stage + ":",
        "    - name: " + stage, "      files:", "        - path: " + path, "          permissions: 0644",
        "          content: |", "            " + content, ""));
  }

  /** A store of whole copies of the root, by key (no diffs: what the pipeline decides is under test). */
  static final class CopyStore implements StepCache {
    final Map<String, RootFs> entries = new HashMap<>();
    final Map<String, Optional<String>> parents = new HashMap<>();
    final Map<String, String> notes = new HashMap<>();
    int saves;

    @Override
    public boolean restore(String key, Optional<String> from, RootFs root, EventListener events) throws IOException {
      RootFs saved = entries.get(key);
      if (saved == null) {
        return false;
      }
      for (String child : root.list(ImagePath.ROOT)) {
        root.deleteRecursively(ImagePath.ROOT.resolve(child));
      }
      TreeCopy.overlay(saved, root, p -> true);
      return true;
    }

    @Override
    public Optional<String> note(String key) {
      return Optional.ofNullable(notes.get(key));
    }

    @Override
    public void keepNote(String key, String owner, String text, EventListener events) {
      notes.put(key, text);
    }

    @Override
    public Mark mark(RootFs root) {
      return new Mark() {};
    }

    @Override
    public void save(Entry entry, Mark since, RootFs root, EventListener events) throws IOException {
      RootFs copy = InMemoryRootFs.create();
      TreeCopy.overlay(root, copy, p -> true);
      entries.put(entry.key(), copy);
      parents.put(entry.key(), entry.parent());
      saves++;
    }
  }
}
