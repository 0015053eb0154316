package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A normal user the test makes with {@code useradd} (home in {@code dir}, a subordinate id range
 * as {@code useradd} gives one, or as an administrator would), to run the CLI jar as: what a user
 * of a shared build host or a CI runner without root meets. Needs root.
 */
record NewUser(String name, Path home) {
  /** The host tools making, running as and removing the user, and the CLI's own user namespace, need. */
  static final List<String> TOOLS = List.of("newuidmap", "newgidmap", "unshare", "setpriv", "useradd", "userdel",
      "usermod", "runuser");

  /** Skips the test when a host tool it needs is missing. */
  static void assumeTools(String... more) {
    List<String> all = new ArrayList<>(TOOLS);
    all.addAll(List.of(more));
    for (String tool : all) {
      assumeTrue(onPath(tool), "needs the host tool " + tool);
    }
  }

  /** Makes a user named {@code prefix} and a random number, with its home {@code dir/home}. */
  static NewUser create(String prefix, Path dir) throws Exception {
    String name = prefix + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    Path home = dir.resolve("home");
    host("useradd", "--home-dir", home.toString(), "--create-home", "--shell", "/usr/sbin/nologin", name);
    NewUser user = new NewUser(name, home);
    if (user.subordinateStart(Path.of("/etc/subgid")) < 0) {
      // This useradd gives no ranges by itself: give one, as an administrator would.
      host("usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535", name);
    }
    return user;
  }

  /**
   * What a test of a normal user's CLI starts from: its directory (readable by the user), the CLI
   * jar copied into it, and the new user, its home in the directory. {@link #close()} deletes the
   * directory (failing on a mount left below it) and then the user.
   */
  record Setup(Path dir, Path jar, NewUser user) implements AutoCloseable {
    /**
     * Skips the test without root, the cached fixtures, the host tools ({@link #TOOLS} and
     * {@code moreTools}) or the CLI jar; else makes the user named {@code userPrefix} and a number
     * in {@code dir}, which it takes over (deleted by {@link #close()}, also when this fails).
     */
    static Setup create(Path dir, String userPrefix, String... moreTools) throws Exception {
      try {
        DebianFixture.assumeUsable();
        assumeTools(moreTools);
        assumeTrue(Files.isRegularFile(Path.of("target/kairos-factory.jar")), "needs the CLI jar (mvn package)");
        Path jar = readableJar(dir);
        return new Setup(dir, jar, NewUser.create(userPrefix, dir));
      } catch (Exception | Error e) {
        Scratch.delete(dir);
        throw e;
      }
    }

    /** {@code java -jar kairos-factory.jar ARGS} run as the user. */
    List<String> cli(List<String> args) {
      List<String> argv = new ArrayList<>(List.of(javaBinary(), "-jar", jar.toString()));
      argv.addAll(args);
      return user.runs(argv);
    }

    /**
     * A directory {@code dir} of the user's own (made by root, given to the user) holding a cache
     * with only apt's downloads of the test cache ({@code cli-cache/apt-archives}), copied: the
     * user's build fetches no package again, yet restores no step any other build saved.
     */
    Path packagesOnlyCache(Path dir) throws Exception {
      Path cache = Files.createDirectories(dir);
      host("cp", "-a", DebianFixture.cacheDir().resolve("cli-cache/apt-archives").toString(),
          cache.resolve("apt-archives").toString());
      host("chown", "-R", user.name() + ":", cache.toString());
      return cache;
    }

    /**
     * Extracts the cached base {@code tarball} into {@code dir} as the user, in a user namespace
     * as the CLI makes one (owners as in the image inside; the user's and its subordinate ids on
     * the host); {@code dir}'s parent must be the user's.
     */
    void extractBase(Path tarball, Path dir) throws Exception {
      long subuid = user.subordinateStart(Path.of("/etc/subuid"));
      long subgid = user.subordinateStart(Path.of("/etc/subgid"));
      List<String> argv = new ArrayList<>(List.of("unshare", "--map-user=0", "--map-group=0",
          "--map-users=" + subuid + ",1,65536", "--map-groups=" + subgid + ",1,65536", "--"));
      argv.addAll(extractCommand(tarball, dir));
      host(user.runs(argv).toArray(String[]::new));
    }

    @Override
    public void close() throws Exception {
      try {
        assertThat(Scratch.delete(dir)).as("mounts left below the test directory").isEmpty();
      } finally {
        user.delete();
      }
    }
  }

  /** tar extracting the cached base into {@code dir}: owners, modes and xattrs kept, /dev left empty (a user namespace cannot make its nodes). */
  static List<String> extractCommand(Path tarball, Path dir) {
    return List.of("sh", "-c", "mkdir -p \"$1\" && exec tar --numeric-owner --xattrs --xattrs-include='*' --zstd"
        + " --exclude='./dev/*' -xpf \"$0\" -C \"$1\"", tarball.toString(), dir.toString());
  }

  /** The user's uid. */
  long uid() throws IOException {
    Process p = new ProcessBuilder("id", "-u", name).start();
    return Long.parseLong(new String(p.getInputStream().readAllBytes()).trim());
  }

  /** Removes the user (its files stay where the test put them). */
  void delete() throws Exception {
    host("userdel", name);
  }

  /** The CLI jar of this module's build, copied into {@code dir} where the user can read it (not under root's home). */
  static Path readableJar(Path dir) throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar = Files.copy(Path.of("target/kairos-factory.jar").toAbsolutePath(), dir.resolve("kairos-factory.jar"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    return jar;
  }

  /** Where the user's range starts in {@code file} ({@code /etc/subuid} or {@code /etc/subgid}); -1 without one. */
  long subordinateStart(Path file) throws IOException {
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split(":");
      if (f.length == 3 && f[0].equals(name)) {
        return Long.parseLong(f[1]);
      }
    }
    return -1;
  }

  /** {@code argv} run as this user: {@code runuser -u NAME -- argv}. */
  List<String> runs(List<String> argv) {
    List<String> out = new ArrayList<>(List.of("runuser", "-u", name, "--"));
    out.addAll(argv);
    return out;
  }

  /** The program of this JVM, for child JVMs. */
  static String javaBinary() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** Runs a host tool as root; a non-zero exit fails the test with its output. */
  static void host(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(600, TimeUnit.SECONDS)).as(String.join(" ", argv)).isTrue();
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
