package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.distros.api.Bootstrap;
import dev.kairos.factory.distros.api.Debootstrap;
import dev.kairos.factory.oci.api.OciSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build cache: its keys, a base served from it, and apt's packages kept and offered again. */
class BuildCacheTest {
  @TempDir Path tmp;

  @Test
  void debootstrapKeyIsStableAndChangesWithEveryInput() {
    Debootstrap base = Bootstrap.debootstrap("bookworm");
    assertThat(BuildCache.key(base)).isEqualTo(BuildCache.key(Bootstrap.debootstrap("bookworm")))
        .matches("[0-9a-f]{64}");
    List<Debootstrap> changed = List.of(
        Bootstrap.debootstrap("trixie"),
        base.mirror("http://127.0.0.1:8080/debian"),
        base.arch(Architecture.ARM64),
        base.variant("minbase"),
        base.include("ca-certificates"),
        base.include("ca-certificates", "curl"),
        base.components("main", "non-free-firmware"));
    Set<String> keys = changed.stream().map(BuildCache::key).collect(Collectors.toSet());
    assertThat(keys).hasSize(changed.size()).doesNotContain(BuildCache.key(base));
    // The default mirror written out is the same base as the default.
    assertThat(BuildCache.key(base.mirror("http://deb.debian.org/debian"))).isEqualTo(BuildCache.key(base));
  }

  @Test
  void sourcesAreWrappedByKind() throws Exception {
    BuildCache cache = new BuildCache(tmp);
    assertThat(cache.source(Bootstrap.debootstrap("bookworm"))).isInstanceOf(CachedBootstrap.class);
    assertThat(cache.source(OciSource.pull("127.0.0.1:5000/a/b:1"))).isInstanceOf(OciSource.class);
    var dir = dev.kairos.factory.distros.api.DirectorySource.of(tmp);
    assertThat(cache.source(dir)).isSameAs(dir);
  }

  @Test
  void aCachedBaseIsCopiedWithoutBootstrapping() throws Exception {
    CachedBootstrap source = (CachedBootstrap) new BuildCache(tmp.resolve("cache")).source(Bootstrap.debootstrap("bookworm"));
    Path entry = source.entry();
    Files.createDirectories(entry.resolve("etc"));
    Files.writeString(entry.resolve("etc/debian_version"), "12.8\n");
    List<KairosEvent> events = new CopyOnWriteArrayList<>();

    // Not root and maybe no debootstrap here: a miss would fail, so this passing means a hit.
    source.materialize(tmp.resolve("a"), events::add);
    source.materialize(tmp.resolve("b"), EventListener.NONE);

    assertThat(tmp.resolve("a/etc/debian_version")).hasContent("12.8");
    assertThat(tmp.resolve("b/etc/debian_version")).hasContent("12.8");
    assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(KairosEvent.CacheHit.class));
    // The copy is the build's: changing it leaves the cached base as it was.
    Files.writeString(tmp.resolve("a/etc/debian_version"), "changed\n");
    assertThat(entry.resolve("etc/debian_version")).hasContent("12.8");
  }

  @Test
  void onlyAptInstallsAndUpgradesFetch() {
    assertThat(AptArchiveCache.fetches(Command.of("apt-get", "-y", "--no-install-recommends", "install", "dracut"))).isTrue();
    assertThat(AptArchiveCache.fetches(Command.of("/usr/bin/apt-get", "-y", "upgrade"))).isTrue();
    assertThat(AptArchiveCache.fetches(Command.of("apt", "full-upgrade"))).isTrue();
    assertThat(AptArchiveCache.fetches(Command.of("apt-get", "-y", "update"))).isFalse();
    assertThat(AptArchiveCache.fetches(Command.of("apt-get", "clean"))).isFalse();
    assertThat(AptArchiveCache.fetches(Command.of("dnf", "install", "-y", "x"))).isFalse();
    assertThat(AptArchiveCache.fetches(Command.of("/bin/sh", "-c", "apt-get install x"))).isFalse();
  }

  @Test
  void aptDownloadsAreKeptAndOfferedToTheNextInstall() throws Exception {
    Path cacheDir = tmp.resolve("cache");
    Path rootDir = tmp.resolve("root");
    Path archives = rootDir.resolve("var/cache/apt/archives");
    Files.createDirectories(archives.resolve("partial"));
    RootFs root = RootFs.at(rootDir);
    FakeApt apt = new FakeApt(archives);
    CommandRunner runner = new BuildCache(cacheDir).runner(apt);

    // First build: apt "downloads" a.deb; it is published, and stays in the image as apt left it.
    apt.downloads = List.of("a_1.0_amd64.deb");
    runner.run(root, Command.of("apt-get", "-y", "install", "a"));
    assertThat(cacheDir.resolve("apt-archives/a_1.0_amd64.deb")).hasContent("a_1.0_amd64.deb");
    assertThat(names(archives)).containsExactly("a_1.0_amd64.deb");

    // A command that fetches nothing is passed through: it sees what apt left, nothing more.
    Files.writeString(cacheDir.resolve("apt-archives/c_3_amd64.deb"), "c");
    runner.run(root, Command.of("apt-get", "clean"));
    assertThat(apt.seen.get(1)).containsExactly("a_1.0_amd64.deb");
    Files.delete(cacheDir.resolve("apt-archives/c_3_amd64.deb"));

    // Next build: a.deb is offered before apt runs, b.deb is new; afterwards only b.deb is left.
    Path root2Dir = tmp.resolve("root2");
    Path archives2 = root2Dir.resolve("var/cache/apt/archives");
    Files.createDirectories(archives2);
    FakeApt apt2 = new FakeApt(archives2);
    apt2.downloads = List.of("b_2.0_amd64.deb");
    new BuildCache(cacheDir).runner(apt2).run(RootFs.at(root2Dir), Command.of("apt-get", "install", "a", "b"));
    assertThat(apt2.seen.get(0)).containsExactly("a_1.0_amd64.deb");
    assertThat(names(archives2)).containsExactly("b_2.0_amd64.deb");
    assertThat(names(cacheDir.resolve("apt-archives"))).containsExactly("a_1.0_amd64.deb", "b_2.0_amd64.deb");
  }

  @Test
  void aSymlinkedArchivesDirectoryIsResolvedInsideTheImage() throws Exception {
    Path rootDir = tmp.resolve("root");
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside);
    Files.createDirectories(rootDir.resolve("var/cache/apt"));
    Files.createDirectories(rootDir.resolve("srv"));
    // An absolute link, as a hostile image would carry: it must land in the image's /srv... not the host's.
    Files.createSymbolicLink(rootDir.resolve("var/cache/apt/archives"), outside.toAbsolutePath());
    Path cacheDir = tmp.resolve("cache");
    Files.createDirectories(cacheDir.resolve("apt-archives"));
    Files.writeString(cacheDir.resolve("apt-archives/a_1_amd64.deb"), "a");
    FakeApt apt = new FakeApt(outside);
    new BuildCache(cacheDir).runner(apt).run(RootFs.at(rootDir), Command.of("apt-get", "install", "a"));
    assertThat(names(outside)).isEmpty();
    assertThat(apt.seen.get(0)).isEmpty();
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Stands in for apt inside the image: records what it found, then "downloads" files. */
  private static final class FakeApt implements CommandRunner {
    final Path archives;
    final List<List<String>> seen = new ArrayList<>();
    List<String> downloads = List.of();

    FakeApt(Path archives) {
      this.archives = archives;
    }

    @Override
    public CommandResult run(RootFs root, Command command) throws IOException {
      seen.add(Files.isDirectory(archives) ? names(archives) : List.of());
      if (AptArchiveCache.fetches(command)) {
        for (String d : downloads) {
          Files.writeString(archives.resolve(d), d);
        }
      }
      return new CommandResult(command.argv(), 0, false, "", Duration.ZERO);
    }

    @Override
    public String name() {
      return "fake-apt";
    }
  }
}
