package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import dev.kairos.factory.boot.it.DebianKernel;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockMismatchException;
import dev.kairos.factory.core.api.lock.LockedPackage;
import dev.kairos.factory.distros.api.Bootstrap;
import dev.kairos.factory.distros.api.Debootstrap;
import dev.kairos.factory.distros.api.LockedBootstrap;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import dev.kairos.factory.examples.cli.CliRunner;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A lock replays a build on "another day": the cached Debian base, its apt pointed at a local
 * repository (apt-ftparchive over the cached package files, served by busybox httpd on
 * 127.0.0.1), builds (without kernel and initrd) to an OCI layout and records {@code kairos.lock}. Then a
 * newer conntrack is added to the repository: {@code build --lock} still installs the locked
 * version, records the same lock and gives the same OCI digest, a build without the lock takes the newer one, and a
 * repository serving a tampered conntrack under the locked version fails the replay naming the
 * package and both hashes, before dpkg unpacks it.
 */
@Tag("slow") // about 6 minutes: three builds and a failed replay; runs with -Pslow
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LockReplayIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String PACKAGE = "conntrack";
  private static final String NEWER = "1:1.4.7-1+b3";
  /** A package of the base, which a replay of a bootstrapped base must hold at its locked version. */
  private static final String BASE_PACKAGE = "hostname";

  static Path scratch;
  static Path repo;
  static Path base;
  static Process server;
  static String url;
  static JsonNode first;
  static Lock lock;
  static Path firstLock;
  static JsonNode replayed;

  @BeforeAll
  static void recordADay() throws Exception {
    DebianFixture.assumeUsable();
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-ftparchive")), "apt-utils is not installed");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/busybox")), "busybox is not installed");
    Path archives = DebianFixture.cacheDir().resolve("cli-cache/apt-archives");
    assumeTrue(Files.isDirectory(archives), "no cached packages yet (MainJobIT fills them)");
    scratch = Scratch.create("lock-replay");
    repo = Files.createDirectories(scratch.resolve("repo"));
    try (DirectoryStream<Path> debs = Files.newDirectoryStream(archives, "*.deb")) {
      for (Path d : debs) {
        Files.copy(d, repo.resolve(d.getFileName()));
      }
    }
    index();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server = new ProcessBuilder("busybox", "httpd", "-f", "-p", "127.0.0.1:" + port, "-h", repo.toString())
        .redirectErrorStream(true).redirectOutput(scratch.resolve("httpd.log").toFile()).start();
    waitForServer(port);
    base = scratch.resolve("base");
    DebianFixture.extract(DebianFixture.minbaseTarball(), base);
    // The image knows only the local repository: "the mirror" of this test.
    url = "http://127.0.0.1:" + port + "/";
    Files.writeString(base.resolve("etc/apt/sources.list"), "deb [trusted=yes] " + url + " ./\n");
    try (DirectoryStream<Path> d = Files.newDirectoryStream(base.resolve("etc/apt/sources.list.d"))) {
      for (Path p : d) {
        Files.delete(p);
      }
    }
    // For the ISO: a real Debian kernel and a small initrd of ours in the base (the builds skip the
    // kernel and initrd steps, the slow part, which is not what a lock is about).
    Files.copy(DebianKernel.vmlinuz(), Files.createDirectories(base.resolve("boot")).resolve("vmlinuz"));
    RootFs bootRoot = RootFs.at(base);
    Initrd.builder(bootRoot).compression(InitrdCompression.ZSTD)
        .exclude("/usr", "/var", "/boot", "/proc", "/sys", "/dev", "/run", "/tmp")
        .sourceDate(SourceDate.of(java.time.Instant.ofEpochSecond(1700000000L))).build()
        .writeTo(base.resolve("boot/initrd.img"));
    first = build("day1", List.of("--iso", scratch.resolve("day1/kairos.iso").toString()));
    firstLock = Path.of(first.get("lock").asString());
    lock = Lock.read(firstLock);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      ProcessHandle.of(server.pid()).ifPresent(ProcessHandle::destroy);
      server.waitFor(10, TimeUnit.SECONDS);
    }
    if (scratch != null) {
      Scratch.delete(scratch);
    }
  }

  @Test
  @Order(1)
  void theBuildRecordsEveryPackageWithItsFileHash() throws Exception {
    assertThat(firstLock.getFileName().toString()).isEqualTo("kairos.lock");
    assertThat(firstLock.getParent()).isEqualTo(scratch.resolve("day1").toAbsolutePath());
    LockedPackage c = lock.pkg(PACKAGE).orElseThrow();
    Path deb = repo.resolve(PACKAGE + "_" + c.version().replace(":", "%3a") + "_amd64.deb");
    assertThat(c.sha256()).contains(sha256(deb));
    assertThat(c.size()).isEqualTo(Files.size(deb));
    assertThat(c.repository().orElseThrow()).startsWith("http://127.0.0.1:");
    assertThat(lock.basePackages()).containsKey("bash:amd64").doesNotContainKey("conntrack:amd64");
    // The base's packages keep their files too (a replay of a bootstrapped base fetches exactly these).
    LockedPackage h = lock.basePackages().get(BASE_PACKAGE + ":amd64");
    assertThat(h.sha256()).contains(sha256(repo.resolve(fileName(h))));
    assertThat(lock.packages()).containsKeys("systemd:amd64", "dracut:all", "bash:amd64");
    assertThat(lock.options()).containsEntry("model", "generic").containsEntry("arch", "amd64");
    assertThat(lock.base().get("source")).contains(base.toString());
  }

  @Test
  @Order(2)
  void anotherDayTheLockStillGivesTheSameImageAndNoLockTakesTheNewerPackage() throws Exception {
    String locked = lock.pkg(PACKAGE).orElseThrow().version();
    addVersion(NEWER, false);
    index();

    JsonNode replay = build("replay", List.of("--lock", firstLock.toString(),
        "--iso", scratch.resolve("replay/kairos.iso").toString()));
    assertThat(Lock.read(Path.of(replay.get("lock").asString())).format()).isEqualTo(lock.format());
    assertThat(installedVersion(replay, PACKAGE)).isEqualTo(locked);
    replayed = replay;

    JsonNode unlocked = build("unlocked", List.of());
    assertThat(installedVersion(unlocked, PACKAGE)).isEqualTo(NEWER);
    assertThat(digest(unlocked)).isNotEqualTo(digest(first));

    CliRunner diff = CliRunner.run("lock", "diff", firstLock.toString(), unlocked.get("lock").asString(), "--json");
    assertThat(diff.exit()).as(diff.err()).isZero();
    JsonNode changed = JSON.readTree(diff.out()).get("changed");
    assertThat(changed).hasSize(1);
    assertThat(changed.get(0).get("name").asString()).isEqualTo(PACKAGE);
    assertThat(changed.get(0).get("from").asString()).isEqualTo(locked);
    assertThat(changed.get(0).get("to").asString()).isEqualTo(NEWER);
  }

  @Test
  @Order(3)
  void aTamperedPackageFailsNamingItAndBothHashes() throws Exception {
    LockedPackage c = lock.pkg(PACKAGE).orElseThrow();
    Path tampered = addVersion(c.version(), true);
    index();
    String found = sha256(tampered);
    assertThat(found).isNotEqualTo(c.sha256().orElseThrow());

    CliRunner r = run("tampered", List.of("--lock", firstLock.toString()));
    assertThat(r.exit()).as(r.out()).isNotZero();
    assertThat(r.err()).contains(PACKAGE).contains(c.sha256().orElseThrow()).contains(found)
        .contains("/var/cache/apt/archives");
    // Stopped before dpkg unpacked it: the work root holds no conntrack.
    assertThat(Files.exists(scratch.resolve("work-tampered/rootfs/usr/sbin/conntrack"))).isFalse();
  }

  @Test
  @Order(4)
  void theReplayGivesTheSameOciDigestAndTheSameIso() throws Exception {
    // When they differ, the failure says where: what `diff` finds between the two images.
    CliRunner diff = CliRunner.run("diff", scratch.resolve("day1/oci").toString(), scratch.resolve("replay/oci").toString(),
        "--work", scratch.resolve("work-diff").toString());
    assertThat(digest(replayed)).as(diff.out() + diff.err()).isEqualTo(digest(first));
    Path a = scratch.resolve("day1/kairos.iso");
    Path b = scratch.resolve("replay/kairos.iso");
    assertThat(a).isRegularFile();
    if (Files.mismatch(a, b) != -1) {
      CliRunner isoDiff = CliRunner.run("diff", a.toString(), b.toString(), "--limit", "40",
          "--work", scratch.resolve("work-diff-iso").toString());
      assertThat(Files.mismatch(a, b)).as("the replay's ISO differs from the original's:\n" + isoDiff.out() + isoDiff.err())
          .isEqualTo(-1L);
    }
  }

  @Test
  @Order(5)
  void aDebootstrapBaseReplayHoldsTheLockedBasePackagesOnAnotherDay() throws Exception {
    // The lock of a bootstrap of this repository: the base packages the first build recorded, with
    // their files' hashes (the test base is a minbase bootstrap of bookworm), and the bootstrap's choices.
    Debootstrap d = Bootstrap.debootstrap("bookworm").mirror(url).variant("minbase");
    Lock.Builder b = lock.toBuilder().base("source", d.description());
    d.lockEntries().forEach(b::base);
    Lock baseLock = Lock.parse("base.lock", b.build().format());
    assertThat(baseLock.base()).containsEntry("variant", "minbase").containsEntry("suite", "bookworm")
        .containsEntry("mirror", url).containsEntry("arch", "amd64").containsEntry("components", "main");
    LockedPackage locked = baseLock.basePackages().get(BASE_PACKAGE + ":amd64");
    String newer = locked.version() + "+b9";

    // Another day: the mirror has moved on to a newer hostname and no longer serves the locked one,
    // which a lock mirror (a local file: repository) still holds; the build cache holds bash.
    Path old = repo.resolve(fileName(locked));
    Path lockMirror = Files.createDirectories(scratch.resolve("lock-mirror"));
    addVersion(BASE_PACKAGE, locked.version(), newer, false);
    Files.move(old, lockMirror.resolve(old.getFileName()));
    Files.writeString(lockMirror.resolve("Packages"), exec(lockMirror, "apt-ftparchive", "packages", "."));
    index();
    Path cache = Files.createDirectories(scratch.resolve("base-cache"));
    LockedPackage bash = baseLock.basePackages().get("bash:amd64");
    Files.copy(repo.resolve(fileName(bash)), cache.resolve(fileName(bash)));

    long start = System.nanoTime();
    // The test repository is not signed: the same bootstrap, the mirror given as a trusted line.
    Path plain = scratch.resolve("base-unlocked");
    List<String> argv = new ArrayList<>(d.command(plain));
    argv.set(argv.size() - 1, "deb [trusted=yes] " + url + " bookworm main");
    Files.createDirectories(plain);
    exec(argv.toArray(String[]::new));
    System.out.printf("LockReplayIT: plain bootstrap %d s%n", (System.nanoTime() - start) / 1_000_000_000L);
    assertThat(statusVersions(plain)).containsEntry(BASE_PACKAGE + ":amd64", newer);

    start = System.nanoTime();
    List<String> log = new ArrayList<>();
    Path replay = scratch.resolve("base-replay");
    ImageSource locking = LockedBootstrap.of(d, baseLock).packageCache(cache)
        .lockMirror(java.util.Optional.of(lockMirror.toUri().toString()));
    locking.materialize(replay, e -> log.add(e.toString()));
    System.out.printf("LockReplayIT: locked bootstrap %d s%n", (System.nanoTime() - start) / 1_000_000_000L);
    java.util.Map<String, String> want = new java.util.TreeMap<>();
    baseLock.basePackages().values().forEach(p -> want.put(p.key(), p.version()));
    assertThat(statusVersions(replay)).isEqualTo(want).containsEntry(BASE_PACKAGE + ":amd64", locked.version());
    assertThat(log).anyMatch(l -> l.contains("1 base package files from the cache"));
    assertThat(Files.readString(plain.resolve("etc/apt/sources.list"))).isEqualTo("deb [trusted=yes] " + url + " bookworm main\n");
    // What the bootstrap from the mirror writes (the temporary repository of the locked files is gone).
    assertThat(Files.readString(replay.resolve("etc/apt/sources.list"))).isEqualTo("deb " + url + " bookworm main\n");
    assertThat(locking.lockEntries(RootFs.at(replay))).isEqualTo(d.lockEntries());

    // A mirror serving another file under the locked version: refused before anything is bootstrapped.
    Path tampered = addVersion(BASE_PACKAGE, newer, locked.version(), true);
    index();
    Path refused = scratch.resolve("base-tampered");
    assertThatThrownBy(() -> LockedBootstrap.of(d, baseLock).materialize(refused, EventListener.NONE))
        .isInstanceOf(LockMismatchException.class).hasMessageContaining(BASE_PACKAGE)
        .hasMessageContaining(locked.sha256().orElseThrow()).hasMessageContaining(sha256(tampered))
        .hasMessageContaining(url);
    assertThat(refused).doesNotExist();
  }

  // ------------------------------------------------------------------ helpers

  /** {@code NAME:ARCH} to version, of a root's dpkg status (installed packages). */
  private static java.util.Map<String, String> statusVersions(Path root) throws IOException {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    for (String stanza : Files.readString(root.resolve("var/lib/dpkg/status")).split("\n\n")) {
      java.util.Map<String, String> f = new java.util.HashMap<>();
      stanza.lines().filter(l -> l.contains(": ")).forEach(l -> f.putIfAbsent(l.substring(0, l.indexOf(": ")),
          l.substring(l.indexOf(": ") + 2)));
      if (f.containsKey("Package") && f.getOrDefault("Status", "").endsWith(" installed")) {
        out.put(f.get("Package") + ":" + f.get("Architecture"), f.get("Version"));
      }
    }
    return out;
  }

  private static String fileName(LockedPackage p) {
    return p.name() + "_" + p.version().replace(":", "%3a") + "_" + p.arch() + ".deb";
  }

  private static JsonNode build(String name, List<String> extra) throws Exception {
    CliRunner r = run(name, extra);
    assertThat(r.exit()).as(r.err()).isZero();
    return JSON.readTree(r.out());
  }

  /**
   * Both phases but no kernel and no initrd (the slow part, not what a lock is about; the cleanup
   * step must run, since it removes apt's lists of the day), to an OCI layout, without the build
   * cache: what the repository serves counts.
   */
  private static CliRunner run(String name, List<String> extra) {
    List<String> args = new ArrayList<>(List.of("build", "--from", "dir:" + base, "--version", "v1.0.0",
        "--skip-step", "installKernel,kernel,initrd", "--no-cache",
        "--work", scratch.resolve("work-" + name).toString(),
        "--oci-layout", scratch.resolve(name).resolve("oci").toString(), "--json"));
    args.addAll(extra);
    return CliRunner.run(args.toArray(String[]::new));
  }

  private static String digest(JsonNode result) {
    return result.get("artifacts").get(0).get("digest").asString();
  }

  private static String installedVersion(JsonNode result, String pkg) throws IOException {
    Path status = Path.of(result.get("rootfs").asString()).resolve("var/lib/dpkg/status");
    for (String stanza : Files.readString(status).split("\n\n")) {
      if (stanza.startsWith("Package: " + pkg + "\n")) {
        return stanza.lines().filter(l -> l.startsWith("Version: ")).findFirst().orElseThrow().substring(9);
      }
    }
    throw new AssertionError(pkg + " is not installed");
  }

  /**
   * A copy of the repository's conntrack with {@code version} (replacing the file of that name):
   * with one more file when {@code tamper}, as a compromised mirror would serve it.
   */
  private static Path addVersion(String version, boolean tamper) throws Exception {
    return addVersion(PACKAGE, lock.pkg(PACKAGE).orElseThrow().version(), version, tamper);
  }

  /** A copy of the repository's {@code pkg} of version {@code from} with {@code version} (see above). */
  private static Path addVersion(String pkg, String from, String version, boolean tamper) throws Exception {
    Path original = repo.resolve(pkg + "_" + from.replace(":", "%3a") + "_amd64.deb");
    Path tree = scratch.resolve("deb-" + pkg + "-" + (tamper ? "tampered" : "newer"));
    exec("dpkg-deb", "-R", original.toString(), tree.toString());
    Path control = tree.resolve("DEBIAN/control");
    Files.writeString(control, Files.readString(control).replaceFirst("(?m)^Version: .*$", "Version: " + version));
    if (tamper) {
      Files.writeString(Files.createDirectories(tree.resolve("usr/share/doc/" + pkg)).resolve("tampered"), "x\n");
    }
    Path out = repo.resolve(pkg + "_" + version.replace(":", "%3a") + "_amd64.deb");
    Path built = scratch.resolve(out.getFileName() + (tamper ? ".tampered" : ".newer"));
    exec("dpkg-deb", "--root-owner-group", "-Zxz", "-b", tree.toString(), built.toString());
    Files.move(built, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return out;
  }

  /** Packages and Release of the flat repository, as apt-ftparchive writes them. */
  private static void index() throws Exception {
    Files.deleteIfExists(repo.resolve("Release"));
    // apt-ftparchive's default: MD5, SHA-1, SHA-256 and SHA-512. apt names a package file by the
    // strongest (SHA-512); the lock still records each file's SHA-256, hashing the file itself.
    String packages = exec(repo, "apt-ftparchive", "packages", ".");
    Files.writeString(repo.resolve("Packages"), packages);
    Files.writeString(repo.resolve("Release"), exec(repo, "apt-ftparchive", "release", "."));
    // The same index as a suite, for a bootstrap from this repository (mmdebstrap reads dists/SUITE).
    Path dists = repo.resolve("dists/bookworm");
    Files.createDirectories(dists.resolve("main/binary-amd64"));
    Files.writeString(dists.resolve("main/binary-amd64/Packages"), packages);
    Files.deleteIfExists(dists.resolve("Release"));
    Files.writeString(dists.resolve("Release"), exec(repo, "apt-ftparchive", "-o", "APT::FTPArchive::Release::Suite=bookworm",
        "-o", "APT::FTPArchive::Release::Codename=bookworm", "-o", "APT::FTPArchive::Release::Components=main",
        "-o", "APT::FTPArchive::Release::Architectures=amd64", "release", "dists/bookworm"));
  }

  private static String exec(String... argv) throws Exception {
    return exec(scratch, argv);
  }

  private static String exec(Path dir, String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", argv)).isZero();
    return out;
  }

  private static void waitForServer(int port) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    for (int i = 0; i < 100; i++) {
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/Release")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("busybox httpd did not answer on 127.0.0.1:" + port);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
