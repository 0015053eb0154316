package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import dev.kairos.factory.examples.cli.KairosFactoryCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Same bytes as root: the main job ({@code build} from the cached Debian 12 base, every step from
 * the package installs through dracut to the cleanup, to an OCI layout and an ISO), run by root
 * and then by a normal user the test makes with {@code useradd} (whose CLI restarts itself in a
 * user namespace), each with the CLI jar in a child JVM, the same source date, the same base at
 * the same path and the same downloaded packages, gives the same OCI manifest digest and the same
 * ISO, byte for byte. When the digests differ, the failure holds what {@code diff} finds between
 * the two layouts. Needs root (to make the user), uidmap, bubblewrap and Debian's mirror (apt's
 * package lists).
 */
@Tag("slow") // two main jobs, one after the other (root's alone took over 40 min on 2 shared cores); runs with -Pslow
@Timeout(7800)
class RootlessSameBytesIT {
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String SOURCE_DATE_EPOCH = "1700000000";

  static Path scratch;
  static Path jar;
  static NewUser user;

  @BeforeAll
  static void makeUser() throws Exception {
    DebianFixture.assumeUsable();
    NewUser.assumeTools("mmdebstrap");
    assumeTrue(Files.isRegularFile(Path.of("target/kairos-factory.jar")), "needs the CLI jar (mvn package)");
    scratch = Scratch.create("rootless-bytes");
    jar = NewUser.readableJar(scratch);
    user = NewUser.create("kairos-sb-", scratch);
  }

  @AfterAll
  static void removeUser() throws Exception {
    if (scratch != null) {
      assertThat(Scratch.delete(scratch)).as("mounts left below the test directory").isEmpty();
    }
    if (user != null) {
      user.delete();
    }
  }

  @Test
  void aNormalUsersMainJobGivesRootsOciDigestAndIso() throws Exception {
    Path tarball = DebianFixture.minbaseTarball();
    Path packages = DebianFixture.cacheDir().resolve("cli-cache");
    // Both builds read their base at the same path and work in the same place, one after the other.
    Path job = scratch.resolve("job");

    // As root: the base extracted by root, apt's downloads kept with the other fixtures.
    Files.createDirectories(job);
    NewUser.host(extractBase(tarball, job.resolve("base")).toArray(String[]::new));
    Path rootOut = scratch.resolve("root-out");
    long t0 = System.nanoTime();
    JsonNode asRoot = build(List.of(), job, packages, rootOut, "root");
    long t1 = System.nanoTime();
    assertThat(Scratch.delete(job)).as("mounts left by the root build").isEmpty();

    // As the new user: the same base extracted by the user in its user namespace (owners as in
    // the image inside, the user's and its subordinate ids on the host), the packages root
    // downloaded copied to a cache of the user's own.
    Path userCache = scratch.resolve("user-cache");
    NewUser.host("cp", "-a", packages.toString(), userCache.toString());
    Files.createDirectories(job);
    NewUser.host("chown", "-R", user.name() + ":", job.toString(), userCache.toString());
    List<String> extract = new ArrayList<>(userNamespace());
    extract.addAll(extractBase(tarball, job.resolve("base")));
    NewUser.host(user.runs(extract).toArray(String[]::new));
    Path userOut = job.resolve("out");
    long t2 = System.nanoTime();
    JsonNode asUser = build(user.runs(List.of()), job, userCache, userOut, "user");
    long t3 = System.nanoTime();
    System.out.printf("RootlessSameBytesIT: root's build %d s, the user's %d s%n",
        Duration.ofNanos(t1 - t0).toSeconds(), Duration.ofNanos(t3 - t2).toSeconds());

    // When they differ, the failure says where: what `diff` finds between the two images.
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String manifest = digest(asRoot, "OCI_LAYOUT");
    if (!manifest.equals(digest(asUser, "OCI_LAYOUT"))) {
      KairosFactoryCli.execute(new PrintWriter(out), new PrintWriter(err), "diff", rootOut.resolve("oci").toString(),
          userOut.resolve("oci").toString(), "--work", scratch.resolve("work-diff").toString());
    }
    assertThat(digest(asUser, "OCI_LAYOUT")).as(out + "\n" + err).isEqualTo(manifest).startsWith("sha256:");
    assertThat(Files.readString(userOut.resolve("oci/index.json"))).isEqualTo(Files.readString(rootOut.resolve("oci/index.json")));
    assertThat(Files.size(rootOut.resolve("kairos.iso"))).isGreaterThan(100L << 20);
    assertThat(Files.mismatch(rootOut.resolve("kairos.iso"), userOut.resolve("kairos.iso"))).as("first differing byte of the ISOs")
        .isEqualTo(-1L);
    assertThat(digest(asUser, "ISO")).isEqualTo(digest(asRoot, "ISO"));
  }

  /** The main job through the CLI jar in a child JVM started through {@code wrapper}; its {@code --json} result. */
  private static JsonNode build(List<String> wrapper, Path job, Path cache, Path out, String name) throws Exception {
    List<String> argv = new ArrayList<>(wrapper);
    argv.addAll(List.of("env", "SOURCE_DATE_EPOCH=" + SOURCE_DATE_EPOCH, NewUser.javaBinary(), "-jar", jar.toString(),
        "build", "--from", "dir:" + job.resolve("base"), "--version", "v1.0.0", "--work", job.resolve("work").toString(),
        "--cache", cache.toString(), "--oci-layout", out.resolve("oci").toString(),
        "--iso", out.resolve("kairos.iso").toString(), "--json"));
    Path log = scratch.resolve(name + ".log");
    Process p = new ProcessBuilder(argv).redirectOutput(scratch.resolve(name + ".json").toFile())
        .redirectError(log.toFile()).start();
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.MINUTES)).as(name + "'s build finished").isTrue();
    List<String> lines = Files.readAllLines(log);
    String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    assertThat(p.exitValue()).as(name + "'s build:\n" + tail).isZero();
    return JSON.readTree(Files.readString(scratch.resolve(name + ".json")));
  }

  /** tar extracting the cached base into {@code dir}: owners, modes and xattrs kept, /dev left empty (a user namespace cannot make its nodes). */
  private static List<String> extractBase(Path tarball, Path dir) {
    return List.of("sh", "-c", "mkdir -p \"$1\" && exec tar --numeric-owner --xattrs --xattrs-include='*' --zstd"
        + " --exclude='./dev/*' -xpf \"$0\" -C \"$1\"", tarball.toString(), dir.toString());
  }

  /** What the CLI runs itself in for the user: root of a user namespace mapping the user's subordinate ids. */
  private static List<String> userNamespace() throws IOException {
    long subuid = user.subordinateStart(Path.of("/etc/subuid"));
    long subgid = user.subordinateStart(Path.of("/etc/subgid"));
    return List.of("unshare", "--map-user=0", "--map-group=0", "--map-users=" + subuid + ",1,65536",
        "--map-groups=" + subgid + ",1,65536", "--");
  }

  private static String digest(JsonNode result, String kind) {
    for (JsonNode a : result.get("artifacts")) {
      if (a.get("kind").asString().equals(kind)) {
        return a.get("digest").asString();
      }
    }
    throw new AssertionError("no " + kind + " artifact in " + result);
  }
}
