package dev.kairos.factory.distros.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.diff.DiffReport;
import dev.kairos.factory.core.api.diff.TreeDiff;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockMismatchException;
import dev.kairos.factory.core.api.lock.LockedPackage;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.distros.internal.HostApt;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A debootstrap base replayed from its lock on "another day": the lock holds the base packages of
 * the cached minimal Debian base (made by debootstrap) with the SHA-256 of their files; the mirror
 * (an {@code apt-ftparchive} repository of those files on 127.0.0.1, {@code busybox httpd}) has
 * since moved on to a newer {@code hostname} and no longer serves the locked one, which a lock
 * mirror (a local {@code file:} repository) still holds; the build cache holds {@code bash}. The
 * replay's base holds exactly the locked packages, the locked {@code hostname} among them. A mirror
 * serving another file under the locked version is refused before anything is bootstrapped. A
 * second replay, minutes later, gives the same tree, modification times included: every time the
 * bootstrap made is the lock's source date.
 */
@Tag("slow") // two real bootstraps: about 6 minutes on a loaded 2-core machine; runs with -Pslow
class LockedBootstrapIT {
  private static final String PACKAGE = "hostname";

  @TempDir Path tmp;

  @Test
  void theReplayHoldsTheLockedBasePackagesAndATamperedOneIsRefused() throws Exception {
    DebianFixture.assumeUsable();
    for (String tool : List.of("mmdebstrap", "apt-ftparchive", "busybox", "dpkg-deb")) {
      assumeTrue(Files.isExecutable(Path.of("/usr/bin", tool)), tool + " is not installed");
    }
    Path archives = DebianFixture.cacheDir().resolve("cli-cache/apt-archives");
    assumeTrue(Files.isDirectory(archives), "no cached packages yet (MainJobIT fills them)");

    // The lock: the cached base's packages, each with its file from the cached archives.
    sh("tar --zstd -xf \"$1\" -C \"$2\" ./var/lib/dpkg/status", DebianFixture.minbaseTarball().toString(),
        Files.createDirectories(tmp.resolve("status")).toString());
    Map<String, String> installed = statusVersions(tmp.resolve("status"));
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/";
    Debootstrap d = Bootstrap.debootstrap("bookworm").mirror(url).variant("minbase");
    Lock.Builder b = Lock.builder().kairosVersion("v1.0.0").sourceDate(1_700_000_000L).base("source", d.description());
    d.lockEntries().forEach(b::base);
    for (Map.Entry<String, String> e : installed.entrySet()) {
      String[] na = e.getKey().split(":");
      LockedPackage p = LockedPackage.installed(na[0], na[1], e.getValue());
      Path deb = archives.resolve(file(p));
      assumeTrue(Files.isRegularFile(deb), "not cached: " + deb.getFileName());
      Files.copy(deb, repo.resolve(deb.getFileName()));
      b.basePackage(LockedPackage.of(p.name(), p.arch(), p.version(), Files.size(deb), HostApt.sha256(deb), url));
    }
    Lock lock = Lock.parse("kairos.lock", b.build().format());
    LockedPackage locked = lock.basePackages().get(PACKAGE + ":amd64");
    String newer = locked.version() + "+b9";

    // The mirror moves on: a newer hostname in, the locked one out (into the lock mirror).
    Path lockMirror = Files.createDirectories(tmp.resolve("lock-mirror"));
    Path newerDeb = rebuild(repo.resolve(file(locked)), newer, false);
    Files.move(repo.resolve(file(locked)), lockMirror.resolve(file(locked)));
    sh("cd \"$1\" && apt-ftparchive packages . > Packages", lockMirror.toString());
    Path cache = Files.createDirectories(tmp.resolve("cache"));
    LockedPackage bash = lock.basePackages().get("bash:amd64");
    Files.copy(repo.resolve(file(bash)), cache.resolve(file(bash)));

    Process server = new ProcessBuilder("busybox", "httpd", "-f", "-p", "127.0.0.1:" + port, "-h", repo.toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("httpd.log").toFile()).start();
    try {
      // A tampered file under the locked version: refused, naming it, before anything is bootstrapped.
      Path tampered = rebuild(newerDeb, locked.version(), true);
      index(repo);
      Path refused = tmp.resolve("refused");
      assertThatThrownBy(() -> LockedBootstrap.of(d, lock).materialize(refused, EventListener.NONE))
          .isInstanceOf(LockMismatchException.class).hasMessageContaining(PACKAGE)
          .hasMessageContaining(locked.sha256().orElseThrow()).hasMessageContaining(HostApt.sha256(tampered))
          .hasMessageContaining(url);
      assertThat(refused).doesNotExist();
      Files.delete(tampered);
      index(repo);

      long start = System.nanoTime();
      List<String> log = new ArrayList<>();
      Path root = tmp.resolve("root");
      LockedBootstrap replay = LockedBootstrap.of(d, lock).packageCache(cache)
          .lockMirror(Optional.of(lockMirror.toUri().toString()));
      replay.materialize(root, e -> log.add(e.toString()));
      System.out.printf("LockedBootstrapIT: the locked bootstrap took %d s%n", (System.nanoTime() - start) / 1_000_000_000L);
      assertThat(statusVersions(root)).isEqualTo(installed).containsEntry(PACKAGE + ":amd64", locked.version());
      assertThat(log).anyMatch(l -> l.contains("1 base package files from the cache, " + (installed.size() - 1) + " to fetch"));
      assertThat(Files.readString(root.resolve("etc/apt/sources.list"))).isEqualTo("deb " + url + " bookworm main\n");
      assertThat(replay.lockEntries(RootFs.at(root))).isEqualTo(d.lockEntries());
      assertThat(Files.readSymbolicLink(root.resolve("bin")).toString()).isEqualTo("usr/bin");

      // Another day's replay (minutes later, every file from the caches): the same tree, times
      // included; what the bootstrap made has the lock's source date, not the clock's.
      Path again = tmp.resolve("again");
      start = System.nanoTime();
      LockedBootstrap.of(d, lock).packageCache(repo).packageCache(lockMirror).materialize(again, EventListener.NONE);
      System.out.printf("LockedBootstrapIT: the second locked bootstrap took %d s%n", (System.nanoTime() - start) / 1_000_000_000L);
      DiffReport diff = TreeDiff.compare(RootFs.at(root), RootFs.at(again));
      assertThat(diff.identical()).as(diff.explain(40)).isTrue();
      Instant date = Instant.ofEpochSecond(lock.sourceDate());
      List<String> later = new ArrayList<>();
      RootFs.at(again).walk(ImagePath.ROOT, e -> {
        if (e.metadata().mtime().isAfter(date)) {
          later.add(e.path() + " " + e.metadata().mtime());
        }
      });
      assertThat(later).isEmpty();
      assertThat(RootFs.at(again).metadata(ImagePath.of("/var/lib/dpkg/status")).mtime()).isEqualTo(date);
    } finally {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String file(LockedPackage p) {
    return p.name() + "_" + p.version().replace(":", "%3a") + "_" + p.arch() + ".deb";
  }

  /** {@code deb} rebuilt with {@code version} (with one more file when {@code tamper}), beside it. */
  private Path rebuild(Path deb, String version, boolean tamper) throws Exception {
    Path tree = tmp.resolve("deb-" + (tamper ? "tampered" : "newer"));
    sh("dpkg-deb -R \"$1\" \"$2\"", deb.toString(), tree.toString());
    Path control = tree.resolve("DEBIAN/control");
    Files.writeString(control, Files.readString(control).replaceFirst("(?m)^Version: .*$", "Version: " + version));
    if (tamper) {
      Files.writeString(Files.createDirectories(tree.resolve("usr/share/doc/" + PACKAGE)).resolve("tampered"), "x\n");
    }
    Path out = deb.resolveSibling(PACKAGE + "_" + version.replace(":", "%3a") + "_amd64.deb");
    sh("dpkg-deb --root-owner-group -Zxz -b \"$1\" \"$2\" >/dev/null", tree.toString(), out.toString());
    return out;
  }

  /** The repository's index as the suite bookworm (what a bootstrap reads). */
  private static void index(Path repo) throws Exception {
    sh("cd \"$1\" && mkdir -p dists/bookworm/main/binary-amd64 && apt-ftparchive packages . > dists/bookworm/main/binary-amd64/Packages"
        + " && apt-ftparchive -o APT::FTPArchive::Release::Suite=bookworm -o APT::FTPArchive::Release::Codename=bookworm"
        + " -o APT::FTPArchive::Release::Components=main -o APT::FTPArchive::Release::Architectures=amd64"
        + " release dists/bookworm > Release.new && mv Release.new dists/bookworm/Release", repo.toString());
  }

  /** {@code NAME:ARCH} to version, of the installed packages in a root's dpkg status. */
  private static Map<String, String> statusVersions(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String stanza : Files.readString(root.resolve("var/lib/dpkg/status")).split("\n\n")) {
      Map<String, String> f = new HashMap<>();
      stanza.lines().filter(l -> l.contains(": ")).forEach(l -> f.putIfAbsent(l.substring(0, l.indexOf(": ")),
          l.substring(l.indexOf(": ") + 2)));
      if (f.containsKey("Package") && f.getOrDefault("Status", "").endsWith(" installed")) {
        out.put(f.get("Package") + ":" + f.get("Architecture"), f.get("Version"));
      }
    }
    return out;
  }

  private static void sh(String script, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", script, "sh"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(script + "\n" + out).isZero();
  }
}
