package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.CommandFailedException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockedPackage;
import dev.kairos.factory.core.api.run.HostProcess;
import dev.kairos.factory.distros.api.LockUpdate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LockUpdate} with the host's apt against local repositories of real packages (made with
 * {@code dpkg-deb}, indexed by {@code apt-ftparchive}, read through {@code file:} URLs): apt's
 * resolution, the locked packages' own relations, and indexes that carry only SHA-512.
 */
class LockUpdateIT {
  @TempDir Path tmp;
  private Path repo;

  /** A package built with dpkg-deb into {@code repo}. */
  private void deb(String name, String version, String depends) throws Exception {
    Path src = tmp.resolve("src-" + name + "-" + version);
    Files.createDirectories(src.resolve("DEBIAN"));
    Files.writeString(src.resolve("DEBIAN/control"), "Package: " + name + "\nVersion: " + version
        + "\nArchitecture: all\nMaintainer: Test <test@example.org>\nDescription: test package\n"
        + (depends == null ? "" : "Depends: " + depends + "\n"));
    sh("dpkg-deb -Zgzip --root-owner-group -b \"$1\" \"$2\" >/dev/null", src.toString(),
        repo.resolve(name + "_" + version + "_all.deb").toString());
  }

  /** The index; with {@code sha512Only}, every hash but SHA-512 removed, as such a repository serves it. */
  private void index(boolean sha512Only) throws Exception {
    sh("cd \"$1\" && apt-ftparchive packages . " + (sha512Only ? "| grep -v -E '^(MD5sum|SHA1|SHA256):' " : "")
        + "> Packages", repo.toString());
  }

  private static void sh(String script, String... args) throws Exception {
    List<String> argv = new java.util.ArrayList<>(List.of("sh", "-c", "set -e; " + script, "sh"));
    argv.addAll(List.of(args));
    HostProcess.run(argv, Map.of(), Duration.ofMinutes(2), EventListener.NONE);
  }

  private Lock locked(String... nameVersion) {
    Lock.Builder b = Lock.builder().kairosVersion("v1.0.0").sourceDate(1700000000).option("arch", "amd64")
        .base("source", "dir:/srv/base").basePackage(LockedPackage.installed("app", "all", "1.0"));
    for (String nv : nameVersion) {
      String[] f = nv.split("=");
      b.pkg(LockedPackage.installed(f[0], "all", f[1]));
    }
    return b.build();
  }

  @BeforeEach
  void repository() throws Exception {
    repo = Files.createDirectories(tmp.resolve("repo"));
    // app 1.0 needs exactly liba 1.0; app 2.0 exactly liba 2.0; other stands alone
    deb("liba", "1.0", null);
    deb("liba", "2.0", null);
    deb("app", "1.0", "liba (= 1.0)");
    deb("app", "2.0", "liba (= 2.0)");
    deb("other", "1.0", null);
    deb("other", "1.1", null);
    deb("newdep", "1.0", null);
    deb("tool", "1.0", "newdep");
  }

  @Test
  void aNamedPackageMovesWithWhatItNeedsAndNothingElse() throws Exception {
    index(false);
    Lock before = locked("app=1.0", "liba=1.0", "other=1.0");
    Lock after = LockUpdate.of(before).mirror("file:" + repo).packages(List.of("liba")).run(tmp.resolve("work"));

    // liba 2.0 breaks the locked app 1.0 (= 1.0), as the index states it: apt moves app too
    Lock.Diff d = Lock.diff(before, after);
    assertThat(d.changed()).extracting(c -> c.after().toString()).containsExactly("app:all=2.0", "liba:all=2.0");
    assertThat(after.pkg("other")).contains(before.pkg("other").orElseThrow());
    LockedPackage liba = after.pkg("liba").orElseThrow();
    assertThat(liba.sha256()).contains(HostApt.sha256(repo.resolve("liba_2.0_all.deb")));
    assertThat(liba.size()).isEqualTo(Files.size(repo.resolve("liba_2.0_all.deb")));
    assertThat(liba.repository()).contains("file:" + repo + "/.");
    assertThat(after.basePackages()).isEqualTo(before.basePackages());
    assertThat(after.sourceDate()).isEqualTo(before.sourceDate());

    Lock added = LockUpdate.of(before).mirror("file:" + repo).packages(List.of("tool")).run(tmp.resolve("work2"));
    assertThat(Lock.diff(before, added).added()).extracting(LockedPackage::toString)
        .containsExactly("newdep:all=1.0", "tool:all=1.0");
  }

  @Test
  void everythingMovesToTheNewestAndAnIndexWithOnlySha512StillGivesSha256() throws Exception {
    index(true);
    assertThat(Files.readString(repo.resolve("Packages"))).contains("SHA512:").doesNotContain("SHA256:");
    Lock before = locked("app=1.0", "liba=1.0", "other=1.0");
    Lock after = LockUpdate.of(before).mirror("file:" + repo).run(tmp.resolve("work"));
    assertThat(Lock.diff(before, after).changed()).extracting(c -> c.after().toString())
        .containsExactly("app:all=2.0", "liba:all=2.0", "other:all=1.1");
    for (String n : List.of("app", "liba", "other")) {
      LockedPackage p = after.pkg(n).orElseThrow();
      assertThat(p.sha256()).as(n).contains(HostApt.sha256(repo.resolve(n + "_" + p.version() + "_all.deb")));
    }
    // nothing left behind but apt's own directory
    assertThat(tmp.resolve("work/download")).isEmptyDirectory();
  }

  @Test
  void theImagesListingHashesPackageFilesWhereTheIndexCarriesOnlySha512() throws Exception {
    index(true);
    // The command the build runs in the image, run here against an apt of its own (APT_CONFIG),
    // where apt's archive cache does not hold the file: it is downloaded and hashed.
    Path work = tmp.resolve("apt");
    HostApt.in(work, "amd64", List.of("file:" + repo), Duration.ofMinutes(2), EventListener.NONE).update();
    AptLocking locking = new AptLocking();
    List<LockedPackage> want = List.of(LockedPackage.installed("liba", "all", "2.0"),
        LockedPackage.installed("gone", "all", "9"));
    String script = locking.listFiles(want, ImagePath.of("/dev/stdout")).argv().get(2);
    Path out = tmp.resolve("listing");
    Path scratch = Files.createDirectories(tmp.resolve("scratch"));
    HostProcess.run(List.of("sh", "-c", script.replace("> /dev/stdout", "> " + out)),
        Map.of("APT_CONFIG", work.resolve("apt.conf").toString(), "TMPDIR", scratch.toString()),
        Duration.ofMinutes(2), EventListener.NONE);
    List<LockedPackage> got = locking.withFiles(want, Files.readString(out, StandardCharsets.UTF_8));
    assertThat(got.get(0).sha256()).contains(HostApt.sha256(repo.resolve("liba_2.0_all.deb")));
    assertThat(got.get(1).sha256()).isEmpty();
    assertThat(scratch).isEmptyDirectory();
  }

  @Test
  void aPackageNoMirrorOffersFailsWithAptsWords() throws Exception {
    index(false);
    assertThatThrownBy(() -> LockUpdate.of(locked("app=1.0", "liba=1.0")).mirror("file:" + repo)
        .packages(List.of("nosuchpackage")).run(tmp.resolve("work")))
        .isInstanceOf(CommandFailedException.class).hasMessageContaining("nosuchpackage");
    assertThatThrownBy(() -> LockUpdate.of(locked("app=1.0")).run(tmp.resolve("work2")))
        .hasMessageContaining("names no mirror").hasMessageContaining("dir:/srv/base");
  }
}
