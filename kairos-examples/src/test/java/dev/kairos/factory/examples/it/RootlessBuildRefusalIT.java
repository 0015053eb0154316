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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code build} started by a normal user the test makes with {@code useradd}, with the CLI jar in
 * a child JVM, where the user has no subordinate uid range: it says what is missing and how to
 * fix it, exit 2, before it writes anything. Needs root (to make the user) and uidmap.
 */
@Timeout(600)
class RootlessBuildRefusalIT {

  static Path scratch;
  static Path jar;
  static String user;

  @BeforeAll
  static void makeUser() throws Exception {
    DebianFixture.assumeUsable();
    for (String tool : List.of("newuidmap", "newgidmap", "unshare", "setpriv", "useradd", "userdel", "usermod",
        "runuser")) {
      assumeTrue(onPath(tool), "needs the host tool " + tool);
    }
    jar = Path.of("target/kairos-factory.jar").toAbsolutePath();
    assumeTrue(Files.isRegularFile(jar), "needs the CLI jar (mvn package)");
    scratch = Scratch.create("rootless-refusal");
    Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
    // The user cannot read the build tree under root's home: the jar is copied where it can.
    jar = Files.copy(jar, scratch.resolve("kairos-factory.jar"), StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    user = "kairos-rf-" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    Path home = scratch.resolve("home");
    host("useradd", "--home-dir", home.toString(), "--create-home", "--shell", "/usr/sbin/nologin", user);
    if (subordinateStart(Path.of("/etc/subgid")) < 0) {
      host("usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535", user);
    }
  }

  @AfterAll
  static void removeUser() throws Exception {
    if (scratch != null) {
      assertThat(Scratch.delete(scratch)).as("mounts left below the test directory").isEmpty();
    }
    if (user != null) {
      host("userdel", user);
    }
  }

  @Test
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
