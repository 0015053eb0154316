package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.io.MountTable;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import dev.kairos.factory.examples.cli.KairosFactoryCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 *
 * <p>Lean where it stays a comparison: root's build uses the test cache's step cache, at a fixed
 * path, so after a first run root's steps are restored from root's own earlier build of the same
 * inputs (the step cache gives a warm build the cold one's digest: {@code StepCacheIT}). The
 * user's build gets a cache of its own holding only apt's downloads, so it runs every step as the
 * user; the test checks that it restored nothing and that its root's files belong to the user's
 * ids on the host.
 */
@Tag("slow") // two main jobs, one after the other (root's alone took over 40 min on 2 shared cores); runs with -Pslow
@Timeout(7800)
class RootlessSameBytesIT {
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String SOURCE_DATE_EPOCH = "1700000000";

  static FileChannel lockFile;
  static NewUser.Setup setup;

  @BeforeAll
  static void makeUser() throws Exception {
    NewUser.assumeTools("mmdebstrap");
    // One path for every run (the base's path is part of the step cache's key): one run at a time.
    lockFile = FileChannel.open(DebianFixture.cacheDir().resolve("rootless-same-bytes.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    lockFile.lock();
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "kairos-rootless-same-bytes");
    assertThat(Scratch.delete(dir)).as("mounts left by an earlier run").isEmpty();
    setup = NewUser.Setup.create(Files.createDirectories(dir), "kairos-sb-", "mmdebstrap");
  }

  @AfterAll
  static void removeUser() throws Exception {
    try {
      if (setup != null) {
        setup.close();
      }
    } finally {
      if (lockFile != null) {
        lockFile.close();
      }
    }
  }

  @Test
  void aNormalUsersMainJobGivesRootsOciDigestAndIso() throws Exception {
    Path scratch = setup.dir();
    NewUser user = setup.user();
    Path tarball = DebianFixture.minbaseTarball();
    Path cache = DebianFixture.cacheDir().resolve("cli-cache");
    // Both builds read their base at the same path and work in the same place, one after the other.
    Path job = scratch.resolve("job");

    // As root: the base extracted by root; apt's downloads and the steps' snapshots kept with the other fixtures.
    Files.createDirectories(job);
    NewUser.host(NewUser.extractCommand(tarball, job.resolve("base")).toArray(String[]::new));
    Path rootOut = scratch.resolve("root-out");
    long t0 = System.nanoTime();
    JsonNode asRoot = build(List.of(), job, cache, rootOut, "root");
    long t1 = System.nanoTime();
    assertThat(MountTable.mountsBelow(job)).as("mounts left by the root build").isEmpty();
    // The path is the user's next; root's work goes with the rest at the end (a rename, not minutes of rm).
    Files.move(job, scratch.resolve("root-job"));

    // As the new user: the same base extracted by the user in its user namespace (owners as in
    // the image inside, the user's and its subordinate ids on the host), and a cache of the
    // user's own with only the packages root downloaded: no snapshot of root's steps.
    Path userCache = setup.packagesOnlyCache(scratch.resolve("user-cache"));
    Files.createDirectories(job);
    NewUser.host("chown", user.name() + ":", job.toString());
    setup.extractBase(tarball, job.resolve("base"));
    Path userOut = job.resolve("out");
    long t2 = System.nanoTime();
    JsonNode asUser = build(user.runs(List.of()), job, userCache, userOut, "user");
    long t3 = System.nanoTime();
    System.out.printf("RootlessSameBytesIT: root's build %d s (step cache: %d restored, %d ran), the user's %d s (%d ran)%n",
        Duration.ofNanos(t1 - t0).toSeconds(), asRoot.at("/stepCache/restored").size(), asRoot.at("/stepCache/ran").size(),
        Duration.ofNanos(t3 - t2).toSeconds(), asUser.at("/stepCache/ran").size());

    // The user's build ran its steps itself, as the user: nothing restored, and what is root's
    // in its image belongs to the user on the host, /etc/shadow's group to a subordinate gid.
    assertThat(asUser.at("/stepCache/restored")).as("the user's build restored no step").isEmpty();
    assertThat(asUser.at("/stepCache/ran").valueStream().map(JsonNode::asString))
        .contains("installPackages", "initrd", "cleanup");
    Path shadow = Path.of(asUser.get("rootfs").asString(), "etc/shadow");
    assertThat(Files.getAttribute(shadow, "unix:uid")).isEqualTo((int) user.uid());
    assertThat(Files.getAttribute(shadow, "unix:gid"))
        .isEqualTo((int) user.subordinateStart(Path.of("/etc/subgid")) + 41);

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
    argv.addAll(List.of("env", "SOURCE_DATE_EPOCH=" + SOURCE_DATE_EPOCH, NewUser.javaBinary(), "-jar", setup.jar().toString(),
        "build", "--from", "dir:" + job.resolve("base"), "--version", "v1.0.0", "--work", job.resolve("work").toString(),
        "--cache", cache.toString(), "--oci-layout", out.resolve("oci").toString(),
        "--iso", out.resolve("kairos.iso").toString(), "--json"));
    Path log = setup.dir().resolve(name + ".log");
    Path json = setup.dir().resolve(name + ".json");
    Process p = new ProcessBuilder(argv).redirectOutput(json.toFile())
        .redirectError(log.toFile()).start();
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.MINUTES)).as(name + "'s build finished").isTrue();
    List<String> lines = Files.readAllLines(log);
    String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    assertThat(p.exitValue()).as(name + "'s build:\n" + tail).isZero();
    return JSON.readTree(Files.readString(json));
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
