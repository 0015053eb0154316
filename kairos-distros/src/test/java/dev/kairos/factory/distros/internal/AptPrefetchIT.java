package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.PackageSelection;
import dev.kairos.factory.core.api.distro.PackageSet;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The install phase's prefetch ({@code parallelDownloads}) against Debian's mirror, on the minimal
 * base: the package files of a small install are fetched beforehand, so apt downloads nothing; and
 * when the listing fails, apt downloads them itself and the build goes on.
 */
class AptPrefetchIT {
  /** Small packages the minimal base lacks: jq brings libjq1 and libonig5. */
  private static final List<String> PACKAGES = List.of("jq", "less");
  private static final List<String> FILES = List.of("jq_", "libjq1_", "libonig5_", "less_");

  private Path scratch;

  @BeforeEach
  void setUp() throws IOException {
    DebianFixture.assumeUsable();
    scratch = Scratch.create("prefetch-it-");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (scratch != null) {
      assertThat(Scratch.delete(scratch)).as("mounts left behind").isEmpty();
    }
  }

  @Test
  void theInstallsPackageFilesAreFetchedBeforehandSoAptDownloadsNone() throws Exception {
    RootFs root = DebianFixture.extract(DebianFixture.minbaseTarball(), scratch.resolve("root"));
    List<KairosEvent> events = install(root, Runners.chroot());

    assertThat(logs(events)).anySatisfy(l -> assertThat(l).startsWith("prefetched 4 package files")
        .contains(" 4 at a time").endsWith(" 0 left to apt-get"));
    List<String> apt = installOutput(events);
    assertThat(apt).as("apt's install output").isNotEmpty().noneMatch(l -> l.startsWith("Get:"))
        .anyMatch(l -> l.startsWith("Need to get 0 B/"));
    assertInstalled(root);
    // the files apt found, where it would have put them (the cleanup step, skipped here, empties the directory)
    List<String> archives = root.list(ImagePath.of("/var/cache/apt/archives"));
    for (String f : FILES) {
      assertThat(archives).anyMatch(n -> n.startsWith(f) && n.endsWith(".deb"));
    }
    assertThat(root.list(ImagePath.of("/var/cache/apt/archives/partial"))).as("no temporary file left").isEmpty();
  }

  @Test
  void whenTheListingFailsAptDownloadsTheFilesItself() throws Exception {
    RootFs root = DebianFixture.extract(DebianFixture.minbaseTarball(), scratch.resolve("root"));
    CommandRunner chroot = Runners.chroot();
    CommandRunner noListing = new CommandRunner() {
      @Override
      public CommandResult run(RootFs r, dev.kairos.factory.core.api.run.Command c) throws IOException {
        if (c.argv().contains("--print-uris") && c.argv().contains("install")) {
          return new CommandResult(c.argv(), 100, false, "E: a listing that failed", Duration.ZERO);
        }
        return chroot.run(r, c);
      }

      @Override
      public String name() {
        return chroot.name();
      }
    };
    List<KairosEvent> events = install(root, noListing);

    assertThat(logs(events)).noneMatch(l -> l.startsWith("prefetched"));
    assertThat(installOutput(events)).filteredOn(l -> l.startsWith("Get:")).hasSize(FILES.size());
    assertInstalled(root);
  }

  /** Only installPackages, of {@link #PACKAGES}, through {@code runner}, 4 downloads at a time; the events it gave. */
  private static List<KairosEvent> install(RootFs root, CommandRunner runner) throws IOException {
    List<KairosEvent> events = new CopyOnWriteArrayList<>();
    DistroStrategy debian = Strategies.all().stream().filter(s -> s.family() == Family.DEBIAN).findFirst().orElseThrow();
    Step[] others = Arrays.stream(Step.values()).filter(s -> !s.isPhase() && s != Step.INSTALL_PACKAGES)
        .toArray(Step[]::new);
    try (KairosBuild build = Kairos.fromRoot(root).distros(Stream.concat(Strategies.all().stream()
            .filter(s -> s.family() != Family.DEBIAN), Stream.of(withPackages(debian, PACKAGES))).toList())
        .runner(runner).version("v1.0.0").skip(others).parallelDownloads(4).onEvent(events::add).build()) {
      return List.copyOf(events);
    }
  }

  private static List<String> logs(List<KairosEvent> events) {
    return events.stream().filter(e -> e instanceof KairosEvent.Log).map(e -> ((KairosEvent.Log) e).message()).toList();
  }

  /** What the install command itself (not its listing) printed. */
  private static List<String> installOutput(List<KairosEvent> events) {
    return events.stream().filter(e -> e instanceof KairosEvent.CommandOutput o && o.command().contains("install")
        && o.command().contains("jq") && !o.command().contains("--print-uris"))
        .map(e -> ((KairosEvent.CommandOutput) e).line()).toList();
  }

  private static void assertInstalled(RootFs root) throws IOException {
    String status = root.readString(ImagePath.of("/var/lib/dpkg/status"));
    for (String p : List.of("jq", "libjq1", "libonig5", "less")) {
      assertThat(status).as(p).contains("Package: " + p + "\nStatus: install ok installed\n");
    }
  }

  /** {@code strategy}, with {@code packages} as its whole base list and no kernel. */
  private static DistroStrategy withPackages(DistroStrategy strategy, List<String> packages) {
    return (DistroStrategy) Proxy.newProxyInstance(AptPrefetchIT.class.getClassLoader(),
        new Class<?>[] {DistroStrategy.class}, (proxy, method, args) -> {
          if (method.getName().equals("packages") && args != null && args[0] instanceof PackageSelection) {
            return new PackageSet(packages, List.of(), List.of(), List.of(), List.of(), List.of());
          }
          try {
            return method.invoke(strategy, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
