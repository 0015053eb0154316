package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.io.MountTable;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.HostProcesses;
import dev.kairos.factory.core.it.Scratch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A normal user's build killed outright: a user the test makes with {@code useradd} runs
 * {@code build} (the CLI jar in a child JVM, which restarts itself in its user namespace) from the
 * cached Debian 12 base, and the outer JVM, the one the user started, gets SIGKILL while dpkg
 * installs the packages (what the OOM killer or a CI job's hard timeout does). Then no mount is
 * left under the work directory ({@code /proc/self/mountinfo}), five seconds later no process of
 * the image runs (none of the build's, none with the user's or its subordinate ids), and the
 * user's next build on the same work directory removes the half-installed root, files of the
 * image's users (owned on the host by the user's subordinate ids) included. Needs root (to make the
 * user), uidmap, bubblewrap and Debian's mirror (apt's package lists).
 */
@Timeout(600)
class RootlessBuildKillIT {
  static NewUser.Setup setup;

  @BeforeAll
  static void makeUser() throws Exception {
    setup = NewUser.Setup.create(Scratch.create("rootless-kill"), "kairos-rk-", "bwrap");
  }

  @AfterAll
  static void removeUser() throws Exception {
    if (setup != null) {
      setup.close();
    }
  }

  @Test
  void sigkillOfTheOuterJvmMidInstallLeavesNoMountNoProcessAndARootTheNextBuildRemoves() throws Exception {
    long started = System.nanoTime();
    NewUser user = setup.user();
    Path job = Files.createDirectories(setup.dir().resolve("job"));
    NewUser.host("chown", user.name() + ":", job.toString());
    Path cache = setup.packagesOnlyCache(job.resolve("cache"));
    Path base = job.resolve("base");
    setup.extractBase(DebianFixture.minbaseTarball(), base);
    Path work = job.resolve("work");
    Path rootfs = work.resolve("rootfs");
    List<String> build = List.of("build", "--from", "dir:" + base, "--version", "v1.0.0", "--work", work.toString(),
        "--cache", cache.toString());

    // Run from a directory of the user's, as a user would: the build writes its kairos.lock there.
    Process runuser = new ProcessBuilder(setup.cli(build)).directory(job.toFile()).redirectErrorStream(true)
        .redirectOutput(job.resolve("killed.log").toFile()).start();
    runuser.getOutputStream().close();
    List<ProcessHandle> image;
    try {
      // runuser's child is the JVM the user started; the build itself runs in a JVM below it.
      ProcessHandle outer = await(() -> runuser.toHandle().children().findFirst(), Duration.ofSeconds(30), runuser, job,
          "the user's JVM");
      // dpkg as apt runs it to install (--status-fd), in a sandbox below the inner JVM.
      ProcessHandle dpkg = await(() -> outer.descendants().filter(RootlessBuildKillIT::installingDpkg).findFirst(),
          Duration.ofMinutes(6), runuser, job, "dpkg installing the packages");
      assertThat(MountTable.mountsBelow(job)).as("mounts the host sees while dpkg runs").isEmpty();
      image = outer.descendants().toList();
      assertThat(image).contains(dpkg);
      outer.destroyForcibly(); // SIGKILL: no shutdown hook runs in it
      assertThat(runuser.waitFor(30, TimeUnit.SECONDS)).as("runuser ends with the JVM it started").isTrue();
      assertThat(outer.isAlive()).isFalse();
    } finally {
      runuser.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      runuser.destroyForcibly();
    }
    Thread.sleep(5_000);

    assertThat(MountTable.mountsBelow(job)).as("mounts under the work directory").isEmpty();
    List<String> alive = image.stream().filter(ProcessHandle::isAlive).map(RootlessBuildKillIT::describe).toList();
    if (!alive.isEmpty()) {
      // Say whether they die later or not at all (the failure below stands either way).
      long t = System.nanoTime();
      while (image.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() - t < TimeUnit.SECONDS.toNanos(60)) {
        Thread.sleep(100);
      }
      System.out.printf("RootlessBuildKillIT: alive 5 s after the SIGKILL %s; %s%n", alive,
          image.stream().anyMatch(ProcessHandle::isAlive) ? "still alive 60 s later: "
              + image.stream().filter(ProcessHandle::isAlive).map(RootlessBuildKillIT::describe).toList()
              : "all gone " + Duration.ofNanos(System.nanoTime() - t).toMillis() + " ms later");
    }
    assertThat(alive).as("the build's processes 5 s after the SIGKILL").isEmpty();
    long subuid = user.subordinateStart(Path.of("/etc/subuid"));
    assertThat(HostProcesses.ofUids(user.uid(), 1)).as("processes of the user").isEmpty();
    assertThat(HostProcesses.ofUids(subuid, 65536)).as("processes of the user's subordinate ids").isEmpty();

    // What the install left: the packages apt was installing, and entries of the image's users
    // but root (apt's _apt and the packages' own), owned on the host by the user's subordinate ids.
    List<Path> debs = entries(rootfs.resolve("var/cache/apt/archives")).stream()
        .filter(p -> p.getFileName().toString().endsWith(".deb"))
        .filter(p -> !Files.exists(base.resolve(rootfs.relativize(p)))).toList();
    assertThat(debs).as("packages apt put into the half-installed root").isNotEmpty();
    List<Path> foreign = ownedBySubordinateIds(rootfs, subuid);
    assertThat(foreign).as("entries of subordinate ids in the half-installed root").isNotEmpty();

    // The user's next build on the same work directory removes that root: it claims the
    // directory, deletes the old root and copies the base again; every step skipped but
    // kairosRelease (the artifact's name is read from /etc/kairos-release).
    List<String> next = new ArrayList<>(build);
    next.addAll(List.of("--skip-step", "install,kernel,initramfsConfigs,initrd,services,sshHardening,workarounds,cleanup"));
    Process again = new ProcessBuilder(setup.cli(next)).directory(job.toFile()).redirectErrorStream(true)
        .redirectOutput(job.resolve("next.log").toFile()).start();
    again.getOutputStream().close();
    assertThat(again.waitFor(5, TimeUnit.MINUTES)).as("the next build ends").isTrue();
    assertThat(again.exitValue()).as(Files.readString(job.resolve("next.log"))).isZero();
    // The old root is gone (its packages with it; this build installs none), the base is back.
    for (Path d : debs) {
      assertThat(d).as("left by the killed install").doesNotExist();
    }
    assertThat(rootfs.resolve("etc/os-release")).exists();
    System.out.printf("RootlessBuildKillIT: %d s%n", Duration.ofNanos(System.nanoTime() - started).toSeconds());
  }

  private static boolean installingDpkg(ProcessHandle p) {
    return p.info().command().filter(c -> c.endsWith("/dpkg")).isPresent()
        && p.info().arguments().map(a -> List.of(a).contains("--status-fd")).orElse(false);
  }

  /** Pid, state and kernel wait channel (a process stuck in the kernel dies only once it leaves it), command line. */
  private static String describe(ProcessHandle p) {
    String state = "?";
    String wchan = "?";
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
      state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      wchan = Files.readString(Path.of("/proc", Long.toString(p.pid()), "wchan"));
    } catch (Exception e) {
      // gone meanwhile
    }
    String cmd = p.info().commandLine().orElse("?");
    return p.pid() + " " + state + " " + wchan + " " + cmd.substring(0, Math.min(120, cmd.length()));
  }

  /** The files directly in {@code dir}, but apt's own lock and partial directory. */
  private static List<Path> entries(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !Set.of("lock", "partial").contains(p.getFileName().toString())).toList();
    }
  }

  /** Entries below {@code root} owned by a subordinate uid (the image's users but root; at most 20). */
  private static List<Path> ownedBySubordinateIds(Path root, long subuid) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> {
        try {
          int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
          return uid >= subuid && uid < subuid + 65536;
        } catch (Exception e) {
          return false;
        }
      }).limit(20).toList();
    }
  }

  private interface Probe {
    Optional<ProcessHandle> find() throws Exception;
  }

  /** What {@code probe} finds within {@code limit}; fails at once, with the build's output, when the build ends first. */
  private static ProcessHandle await(Probe probe, Duration limit, Process build, Path job, String what) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline && build.isAlive()) {
      Optional<ProcessHandle> p = probe.find();
      if (p.isPresent()) {
        return p.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no " + what + (build.isAlive() ? " within " + limit : " before the build ended")
        + "; the build printed:\n"
        + Files.readString(job.resolve("killed.log")));
  }
}
