package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import dev.kairos.factory.boot.it.BusyboxInitrd;
import dev.kairos.factory.boot.it.DebianKernel;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockedPackage;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import dev.kairos.factory.examples.cli.CliRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
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
 * version, records the same lock and gives the same OCI digest and the same ISO, a build without the lock takes the newer one, and a
 * repository serving a tampered conntrack under the locked version fails the replay naming the
 * package and both hashes, before dpkg unpacks it.
 */
@Tag("slow") // about 6 minutes: three builds and a failed replay; runs with -Pslow
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LockReplayIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String PACKAGE = "conntrack";
  private static final String NEWER = "1:1.4.7-1+b3";

  static Path scratch;
  static Path repo;
  static Path base;
  static Process server;
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
    Files.writeString(base.resolve("etc/apt/sources.list"), "deb [trusted=yes] http://127.0.0.1:" + port + "/ ./\n");
    try (DirectoryStream<Path> d = Files.newDirectoryStream(base.resolve("etc/apt/sources.list.d"))) {
      for (Path p : d) {
        Files.delete(p);
      }
    }
    // The ISO boots what the base holds: Debian's kernel and a small initrd of ours (the image's
    // own kernel and dracut initrd are skipped below; they are slow and not what a lock is about).
    Files.copy(DebianKernel.vmlinuz(), base.resolve("boot/vmlinuz"));
    Initrd.builder(BusyboxInitrd.tree("lock-replay")).compression(InitrdCompression.ZSTD)
        .sourceDate(SourceDate.of(Instant.ofEpochSecond(1_700_000_000L))).build().writeTo(base.resolve("boot/initrd.img"));
    first = build("day1", List.of("--iso", iso("day1").toString()));
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
    LockedPackage hostname = lock.basePackages().get("hostname:amd64");
    assertThat(hostname.sha256())
        .contains(sha256(repo.resolve("hostname_" + hostname.version().replace(":", "%3a") + "_amd64.deb")));
    assertThat(hostname.repository().orElseThrow()).startsWith("http://127.0.0.1:");
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

    JsonNode replay = build("replay", List.of("--lock", firstLock.toString(), "--iso", iso("replay").toString()));
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
    // When they differ, the failure says where: what `diff` finds between the two images, the two ISOs.
    if (!digest(replayed).equals(digest(first))) {
      CliRunner diff = CliRunner.run("diff", scratch.resolve("day1/oci").toString(), scratch.resolve("replay/oci").toString(),
          "--work", scratch.resolve("work-diff").toString());
      assertThat(digest(replayed)).as(diff.out() + diff.err()).isEqualTo(digest(first));
    }
    if (!sha256(iso("replay")).equals(sha256(iso("day1")))) {
      CliRunner diff = CliRunner.run("diff", iso("day1").toString(), iso("replay").toString(), "--limit", "40");
      assertThat(sha256(iso("replay"))).as(diff.out() + diff.err()).isEqualTo(sha256(iso("day1")));
    }
    System.out.printf("LockReplayIT: the same OCI digest %s and ISO sha256:%s (%d bytes)%n", digest(first),
        sha256(iso("day1")), Files.size(iso("day1")));
  }

  // ------------------------------------------------------------------ helpers

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

  /** The OCI image's manifest digest (the layout is the build's first artifact, the ISO after it). */
  private static String digest(JsonNode result) {
    assertThat(result.get("artifacts").get(0).get("kind").asString()).isEqualTo("OCI_LAYOUT");
    return result.get("artifacts").get(0).get("digest").asString();
  }

  private static Path iso(String name) {
    return scratch.resolve(name).resolve("kairos.iso");
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
    Path original = repo.resolve(PACKAGE + "_" + lock.pkg(PACKAGE).orElseThrow().version().replace(":", "%3a")
        + "_amd64.deb");
    Path tree = scratch.resolve("deb-" + (tamper ? "tampered" : "newer"));
    exec("dpkg-deb", "-R", original.toString(), tree.toString());
    Path control = tree.resolve("DEBIAN/control");
    Files.writeString(control, Files.readString(control).replaceFirst("(?m)^Version: .*$", "Version: " + version));
    if (tamper) {
      Files.writeString(Files.createDirectories(tree.resolve("usr/share/doc/conntrack")).resolve("tampered"), "x\n");
    }
    Path out = repo.resolve(PACKAGE + "_" + version.replace(":", "%3a") + "_amd64.deb");
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
    Files.writeString(repo.resolve("Packages"), exec(repo, "apt-ftparchive", "packages", "."));
    Files.writeString(repo.resolve("Release"), exec(repo, "apt-ftparchive", "release", "."));
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
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
