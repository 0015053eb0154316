package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's main job ({@code build --from debootstrap:bookworm --version v1.0.0 --oci-layout
 * --iso}) run by the CLI jar in a child JVM, once as root and once by a normal user the test
 * makes with {@code useradd} (with a subordinate id range), with the same source date and the
 * same package downloads (the cached main job's apt archives, copied into each run's cache), side
 * by side: the user's CLI restarts itself in a user namespace, and both give the same OCI manifest digest and the same
 * ISO bytes. Then, without a subordinate range, {@code build} says what is missing, exit 2, before
 * it writes anything. Needs root (to make the user), network to Debian's mirror, mmdebstrap,
 * uidmap and bubblewrap; two full builds, so tens of minutes on a loaded machine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(7200)
class RootlessMainJobIT {
  static final JsonMapper JSON = JsonMapper.builder().build();
  /** Any fixed instant: both builds must get the same. */
  static final String SOURCE_DATE_EPOCH = "1700000000";

  static Path scratch;
  static Path jar;
  static String user;
  /** The builds started, stopped at the end if an assertion left one running. */
  static final List<Process> STARTED = new ArrayList<>();

  @BeforeAll
  static void makeUser() throws Exception {
    DebianFixture.assumeUsable();
    for (String tool : List.of("mmdebstrap", "newuidmap", "newgidmap", "unshare", "setpriv", "useradd", "userdel",
        "usermod", "runuser")) {
      assumeTrue(onPath(tool), "needs the host tool " + tool);
    }
    jar = Path.of("target/kairos-factory.jar").toAbsolutePath();
    assumeTrue(Files.isRegularFile(jar), "needs the CLI jar (mvn package)");
    scratch = Scratch.create("rootless-main-job");
    Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
    // The user cannot read the build tree under root's home: the jar is copied where it can.
    jar = Files.copy(jar, scratch.resolve("kairos-factory.jar"), StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    user = "kairos-mj-" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    Path home = scratch.resolve("home");
    host("useradd", "--home-dir", home.toString(), "--create-home", "--shell", "/usr/sbin/nologin", user);
    if (subordinateStart(Path.of("/etc/subgid")) < 0) {
      host("usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535", user);
    }
  }

  @AfterAll
  static void removeUser() throws Exception {
    for (Process p : STARTED) {
      p.destroy();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
    if (scratch != null) {
      assertThat(Scratch.delete(scratch)).as("mounts left below the test directory").isEmpty();
    }
    if (user != null) {
      host("userdel", user);
    }
  }

  @Test
  @Order(1)
  void theMainJobByANewNormalUserGivesTheRootBuildsDigestsAndIsoBytes() throws Exception {
    // The same package downloads for both: the main job's apt archives kept beside the other
    // fixtures (MainJobIT's), copied into each run's cache; both runs start at once.
    Path rootCache = scratch.resolve("root-cache");
    Path home = scratch.resolve("home");
    Path userCache = home.resolve("cache");
    seedAptArchives(rootCache);
    seedAptArchives(userCache);
    host("chown", "-R", user + ":", userCache.toString());
    Path userDir = home.resolve("build");
    host("runuser", "-u", user, "--", "mkdir", userDir.toString());
    long t0 = System.nanoTime();
    Run asRoot = Run.start(List.of(), scratch.resolve("root"), rootCache);
    Run asUser = Run.start(List.of("runuser", "-u", user, "--"), userDir, userCache);
    Map<String, String> rootDigests = asRoot.await();
    Map<String, String> userDigests = asUser.await();
    System.out.printf("RootlessMainJobIT: both main jobs, side by side, took %.1f s%n", (System.nanoTime() - t0) / 1e9);

    assertThat(userDigests.get("OCI_LAYOUT")).as("the OCI manifest digest").isEqualTo(rootDigests.get("OCI_LAYOUT"));
    assertThat(userDigests.get("ISO")).as("the ISO's digest").isEqualTo(rootDigests.get("ISO"));
    assertThat(Files.mismatch(scratch.resolve("root/out/kairos.iso"), userDir.resolve("out/kairos.iso"))).isEqualTo(-1);

    // The user's build ran in a user namespace: on the host the image's root files are the
    // user's, its group shadow (42) the first subordinate gid + 41.
    Path shadow = userDir.resolve("work/rootfs/etc/shadow");
    long uid = ((Number) Files.getAttribute(home, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    assertThat(((Number) Files.getAttribute(shadow, "unix:uid")).longValue()).isEqualTo(uid);
    assertThat(((Number) Files.getAttribute(shadow, "unix:gid")).longValue())
        .isEqualTo(subordinateStart(Path.of("/etc/subgid")) + 41);
  }

  /** Copies the cached main job's downloaded packages (complete ones only) into {@code cache}. */
  private static void seedAptArchives(Path cache) throws IOException {
    Path into = Files.createDirectories(cache.resolve("apt-archives"));
    Path from = DebianFixture.cacheDir().resolve("cli-cache/apt-archives");
    if (!Files.isDirectory(from)) {
      return; // a cold fixture cache: both runs download
    }
    try (var debs = Files.list(from)) {
      for (Path deb : (Iterable<Path>) debs::iterator) {
        String name = deb.getFileName().toString();
        if (name.endsWith(".deb") && !name.startsWith(".")) {
          Files.copy(deb, into.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  @Test
  @Order(2)
  void withoutASubordinateRangeBuildSaysWhatIsMissingAndExits2BeforeWritingAnything() throws Exception {
    long start = subordinateStart(Path.of("/etc/subuid"));
    host("usermod", "--del-subuids", start + "-" + (start + 65535), user);
    Path work = scratch.resolve("home/refused");
    List<String> argv = new ArrayList<>(List.of("runuser", "-u", user, "--", javaBinary(), "-jar", jar.toString(),
        "build", "--from", "debootstrap:bookworm", "--version", "v1.0.0", "--work", work.resolve("work").toString(),
        "--oci-layout", work.resolve("oci").toString()));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out).contains("cannot build without root")
        .contains("no subordinate uid range for " + user + " in /etc/subuid: usermod --add-subuids 100000-165535 " + user)
        .doesNotContain("no subordinate gid range");
    assertThat(work).doesNotExist();
  }

  /** The main job run by the CLI jar in a child JVM, started through a wrapper (none: as root). */
  record Run(String who, Process process, Path log, long start) {
    /** Starts the main job into {@code dir}/work and {@code dir}/out, with cache {@code cache}. */
    static Run start(List<String> wrapper, Path dir, Path cache) throws IOException {
      List<String> argv = new ArrayList<>(wrapper);
      argv.addAll(List.of("env", "SOURCE_DATE_EPOCH=" + SOURCE_DATE_EPOCH, javaBinary(), "-jar", jar.toString(),
          "build", "--from", "debootstrap:" + DebianFixture.SUITE + ":" + DebianFixture.MIRROR, "--version", "v1.0.0",
          "--work", dir.resolve("work").toString(), "--cache", cache.toString(),
          "--oci-layout", dir.resolve("out/oci").toString(), "--iso", dir.resolve("out/kairos.iso").toString(),
          "--json"));
      String who = wrapper.isEmpty() ? "root" : user;
      Path log = scratch.resolve(who + "-build.err");
      Process p = new ProcessBuilder(argv).directory(scratch.toFile()).redirectError(log.toFile())
          .redirectOutput(scratch.resolve(who + "-build.json").toFile()).start();
      p.getOutputStream().close();
      STARTED.add(p);
      return new Run(who, p, log, System.nanoTime());
    }

    /** Waits for the build; returns its artifacts' digests by kind, and prints its time. */
    Map<String, String> await() throws Exception {
      assertThat(process.waitFor(90, TimeUnit.MINUTES)).as(who + "'s build finished").isTrue();
      String err = Files.readString(log);
      assertThat(process.exitValue()).as(who + ": " + err.substring(Math.max(0, err.length() - 4000))).isZero();
      System.out.printf("RootlessMainJobIT: the main job as %s took %.1f s%n", who, (System.nanoTime() - start) / 1e9);
      JsonNode result = JSON.readTree(Files.readString(scratch.resolve(who + "-build.json")));
      Map<String, String> digests = new LinkedHashMap<>();
      result.get("artifacts").forEach(a -> digests.put(a.get("kind").asString(), a.get("digest").asString()));
      assertThat(digests.keySet()).containsExactly("OCI_LAYOUT", "ISO");
      return digests;
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static long subordinateStart(Path file) throws IOException {
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split(":");
      if (f.length == 3 && f[0].equals(user)) {
        return Long.parseLong(f[1]);
      }
    }
    return -1;
  }

  /** Runs a host tool as root; a non-zero exit fails the test with its output. */
  private static void host(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as(String.join(" ", argv)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", argv) + "\n" + out).isZero();
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }
}
