package dev.kairos.factory.distros.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.api.run.UserNamespace;
import dev.kairos.factory.core.api.io.MountTable;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A build without root, as a user would meet it: a normal user made by the test (with the
 * subordinate id range {@code useradd} gives) runs, in a JVM of its own, the bootstrap of Debian
 * 12 and one package install through the sandbox runner. Inside the namespace the image's owners
 * are the image's own (root:shadow, root:crontab); on the host root's files are the user's and
 * every other owner a subordinate id. Needs root (to make the user), network to Debian's mirror,
 * mmdebstrap, uidmap and bubblewrap; takes some minutes.
 */
@Timeout(1800)
class RootlessBuildIT {
  private String user;
  private Path dir;

  @BeforeEach
  void makeUser() throws Exception {
    DebianFixture.assumeUsable();
    for (String tool : List.of("mmdebstrap", "newuidmap", "newgidmap", "unshare", "useradd", "userdel", "runuser")) {
      assumeTrue(onPath(tool), "needs the host tool " + tool);
    }
    user = "kairos-rl-" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    host(Duration.ofSeconds(60), "useradd", "--no-create-home", "--home-dir", "/nonexistent",
        "--shell", "/usr/sbin/nologin", user);
    if (subordinateStart(Path.of("/etc/subgid")) < 0) {
      // This useradd gives no ranges by itself: give one, as an administrator would.
      host(Duration.ofSeconds(60), "usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535",
          user);
    }
    dir = Scratch.create("rootless-it");
    host(Duration.ofSeconds(30), "chown", user + ":", dir.toString());
  }

  @AfterEach
  void removeUser() throws Exception {
    if (dir != null) {
      assertThat(Scratch.delete(dir)).as("mounts leaked below the test directory").isEmpty();
    }
    if (user != null) {
      host(Duration.ofSeconds(60), "userdel", user);
    }
  }

  /** The child, run as the normal user: bootstrap, one package install, then the owners as the image sees them. */
  public static void main(String[] args) throws Exception {
    System.out.println("uid " + (UserNamespace.isRoot() ? "0" : "not 0") + ", initial namespace " + UserNamespace.isInitial());
    if (!UserNamespace.isRoot()) {
      System.out.println("missing: " + UserNamespace.missing());
    }
    RootFs root = Bootstrap.debootstrap(DebianFixture.SUITE).variant("minbase").mirror(DebianFixture.MIRROR)
        .timeout(Duration.ofMinutes(20)).materialize(Path.of(args[0]), e -> {
          if (e instanceof KairosEvent.CommandOutput o) {
            System.out.println("bootstrap: " + o.line());
          }
        });
    CommandResult install = Runners.chroot().run(root, Command.builder("/bin/sh", "-c",
            "apt-get update -q && apt-get install -y -q --no-install-recommends cron")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .timeout(Duration.ofMinutes(20))
        .output(e -> {
          if (e instanceof KairosEvent.CommandOutput o) {
            System.out.println("install: " + o.line());
          }
        })
        .build());
    install.requireSuccess();
    CommandResult owners = Runners.chroot().run(root, Command.shell(
        "id -u; stat -c 'OWNER %n %U:%G %a' /etc/shadow /usr/bin/crontab /var/spool/cron/crontabs /usr/bin/passwd"));
    System.out.println(owners.outputTail());
    System.out.println("exit " + owners.exitCode());
  }

  @Test
  void aNormalUserBootstrapsAndInstallsAPackageWithTheImagesOwners() throws Exception {
    Path work = dir.resolve("work");
    List<String> out = new ArrayList<>();
    int exit = runChild(List.of(), work.resolve("root"), out);
    assertOwners(work.resolve("root"), exit, out, "uid not 0, initial namespace true", "missing: []");
  }

  @Test
  void aBuildWhoseJvmRunsInsideTheUserNamespaceDoesTheSame() throws Exception {
    // What a normal user can run today: the whole JVM as root of the namespace (as buildah unshare).
    long subuid = subordinateStart(Path.of("/etc/subuid"));
    long subgid = subordinateStart(Path.of("/etc/subgid"));
    List<String> unshare = List.of("unshare", "--map-user=0", "--map-group=0",
        "--map-users=" + subuid + ",1," + UserNamespace.MAPPED_IDS, "--map-groups=" + subgid + ",1," + UserNamespace.MAPPED_IDS,
        "--");
    Path root = dir.resolve("work/root");
    List<String> out = new ArrayList<>();
    int exit = runChild(unshare, root, out);
    assertOwners(root, exit, out, "uid 0, initial namespace false");
  }

  private void assertOwners(Path root, int exit, List<String> out, String... firstLines) throws Exception {
    String log = String.join("\n", out.subList(Math.max(0, out.size() - 60), out.size()));
    assertThat(exit).as(log).isZero();
    assertThat(out).as(log).contains(firstLines);
    assertThat(out).as(log).contains("0", "exit 0",
        "OWNER /etc/shadow root:shadow 640",
        "OWNER /usr/bin/crontab root:crontab 2755",
        "OWNER /var/spool/cron/crontabs root:crontab 1730",
        "OWNER /usr/bin/passwd root:root 4755");

    // On the host: root's files are the user's, every other owner a subordinate id.
    long uid = ((Number) Files.getAttribute(dir, "unix:uid")).longValue();
    long subgid = subordinateStart(Path.of("/etc/subgid"));
    int shadowGid = imageGid(RootFs.at(root), "shadow");
    assertThat(Files.getAttribute(root.resolve("etc/shadow"), "unix:uid")).isEqualTo((int) uid);
    assertThat(Files.getAttribute(root.resolve("etc/shadow"), "unix:gid")).isEqualTo((int) (subgid + shadowGid - 1));
    assertThat(MountTable.mountsBelow(dir)).isEmpty();
  }

  @Test
  void withoutASubordinateRangeTheBuildSaysWhatIsMissing() throws Exception {
    long start = subordinateStart(Path.of("/etc/subuid"));
    String range = start + "-" + (start + UserNamespace.MAPPED_IDS - 1);
    host(Duration.ofSeconds(60), "usermod", "--del-subuids", range, user);
    List<String> out = new ArrayList<>();
    int exit = runChild(List.of(), dir.resolve("work/root"), out);
    String log = String.join("\n", out);
    assertThat(exit).as(log).isNotZero();
    assertThat(log).contains("cannot build without root")
        .contains("no subordinate uid range for " + user + " in /etc/subuid: usermod --add-subuids 100000-165535 " + user)
        .doesNotContain("no subordinate gid range");
    assertThat(dir.resolve("work/root")).doesNotExist();
  }

  /**
   * Runs {@link #main} as the test's user in a JVM of its own, started through {@code wrapper}
   * (empty: none); its output lines go to {@code out}.
   */
  private int runChild(List<String> wrapper, Path root, List<String> out) throws Exception {
    Path cp = dir.resolve("classpath");
    String classpath = copyClassPath(Files.createDirectories(cp));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> argv = new ArrayList<>(List.of("runuser", "-u", user, "--"));
    argv.addAll(wrapper);
    argv.addAll(List.of(java.toString(), "-cp", classpath, RootlessBuildIT.class.getName(), root.toString()));
    Process child = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    child.getOutputStream().close();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        out.add(line);
      }
    }
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return child.exitValue();
  }

  /** The test's class path copied where the new user can read it (a build user cannot read root's home). */
  private static String copyClassPath(Path into) throws IOException {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> copied = new ArrayList<>();
    int i = 0;
    for (String entry : cp.split(File.pathSeparator)) {
      Path from = Path.of(entry);
      if (!Files.exists(from)) {
        continue;
      }
      Path to = into.resolve((i++) + "-" + from.getFileName());
      if (Files.isDirectory(from)) {
        try (Stream<Path> walk = Files.walk(from)) {
          for (Path p : (Iterable<Path>) walk::iterator) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
              Files.createDirectories(target);
            } else {
              Files.copy(p, target);
            }
          }
        }
      } else {
        Files.copy(from, to);
      }
      copied.add(to.toString());
    }
    return String.join(File.pathSeparator, copied);
  }

  private long subordinateStart(Path file) throws IOException {
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split(":");
      if (f.length == 3 && f[0].equals(user)) {
        return Long.parseLong(f[1]);
      }
    }
    return -1;
  }

  private static int imageGid(RootFs root, String group) throws IOException {
    return root.readString(ImagePath.of("/etc/group")).lines().map(l -> l.split(":"))
        .filter(f -> f[0].equals(group)).mapToInt(f -> Integer.parseInt(f[2])).findFirst().orElseThrow();
  }

  /** Runs a host tool as root; a non-zero exit fails the test with the tool's output. */
  private static void host(Duration timeout, String... argv) throws Exception {
    dev.kairos.factory.core.api.run.HostProcess.run(java.util.List.of(argv), java.util.Map.of(), timeout,
        dev.kairos.factory.core.api.event.EventListener.NONE).requireSuccess();
  }

  /** Whether {@code tool} is a program on the PATH. */
  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
