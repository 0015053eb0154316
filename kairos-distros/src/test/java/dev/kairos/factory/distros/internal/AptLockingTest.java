package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.distro.PackageManager.TemporaryFile;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockMismatchException;
import dev.kairos.factory.core.api.lock.LockedPackage;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AptLockingTest {
  private static final String H = "6cae172b006a4603e710e046c3acba8d98d36748894cbe3eeda31d415fec331e";
  private final AptLocking apt = new AptLocking();

  @Test
  void parsesDpkgQueryKeepingOnlyInstalledPackages() {
    List<LockedPackage> p = apt.parseInstalled("ii \tbash\tamd64\t5.2.15-2+b13\nrc \told\tamd64\t1.0\n"
        + "ii \tbsdutils\tamd64\t1:2.38.1-5+deb12u3\n");
    assertThat(p).extracting(LockedPackage::toString)
        .containsExactly("bash:amd64=5.2.15-2+b13", "bsdutils:amd64=1:2.38.1-5+deb12u3");
  }

  @Test
  void takesSizeHashAndRepositoryFromAptsPrintUris() {
    // as apt-get download --print-uris prints them (the epoch's colon is %3a in the file name)
    String out = "'http://deb.debian.org/debian/pool/main/u/util-linux/bsdutils_2.38.1-5%2bdeb12u3_amd64.deb'"
        + " bsdutils_1%3a2.38.1-5+deb12u3_amd64.deb 94412 SHA256:" + H + "\n"
        + "'http://127.0.0.1:8080/./curl_7.88_amd64.deb' curl_7.88_amd64.deb 10 SHA256:" + H.toUpperCase() + "\n";
    List<LockedPackage> p = apt.withFiles(List.of(LockedPackage.installed("bsdutils", "amd64", "1:2.38.1-5+deb12u3"),
        LockedPackage.installed("curl", "amd64", "7.88"), LockedPackage.installed("local", "all", "1")), out);
    assertThat(p.get(0)).isEqualTo(LockedPackage.of("bsdutils", "amd64", "1:2.38.1-5+deb12u3", 94412, H,
        "http://deb.debian.org/debian"));
    assertThat(p.get(1).repository()).contains("http://127.0.0.1:8080/.");
    assertThat(p.get(1).sha256()).contains(H);
    assertThat(p.get(2).sha256()).isEmpty();
  }

  @Test
  void aSha512LineGivesSizeAndRepositoryButNoSha256() {
    // apt prints the strongest hash the index has: SHA-512 for an index made by apt-ftparchive
    String out = "'file:/srv/repo/./app_2.0_all.deb' app_2.0_all.deb 516 SHA512:" + "ab".repeat(64) + "\n";
    List<LockedPackage> p = AptLocking.withPrintedFiles(List.of(LockedPackage.installed("app", "all", "2.0")), out);
    assertThat(p.get(0).sha256()).isEmpty();
    assertThat(p.get(0).size()).isEqualTo(516);
    assertThat(p.get(0).repository()).contains("file:/srv/repo/.");
  }

  @Test
  void listingFilesHashesThePackageFileWhereAptPrintsAnotherHash() {
    String cmd = String.join(" ", apt.listFiles(List.of(LockedPackage.installed("app", "all", "2.0")),
        dev.kairos.factory.core.api.fs.ImagePath.of("/var/cache/l")).argv());
    assertThat(cmd).contains("*' SHA256:'*) echo").contains("/var/cache/apt/archives/$2")
        .contains("apt-get -q download").contains("SHA256:$(sha256sum");
  }

  @Test
  void replayPinsEveryLockedVersionAndHooksTheVerification() {
    Lock lock = Lock.builder().kairosVersion("v1").sourceDate(1)
        .pkg(LockedPackage.of("bsdutils", "amd64", "1:2.38.1-5+deb12u3", 94412, H, "http://deb.debian.org/debian"))
        .build();
    List<TemporaryFile> files = apt.replayFiles(lock, Optional.of("http://127.0.0.1:9/"));
    assertThat(files).extracting(f -> f.path().toString()).contains("/etc/apt/preferences.d/kairos-lock.pref",
        "/etc/apt/apt.conf.d/99kairos-lock", "/etc/apt/sources.list.d/kairos-lock-mirror.list");
    assertThat(files.get(0).content()).contains("Package: bsdutils\nPin: version 1:2.38.1-5+deb12u3\nPin-Priority: 1001\n");
    assertThat(files).anySatisfy(f -> assertThat(f.content()).isEqualTo(H + " bsdutils bsdutils:amd64=1:2.38.1-5+deb12u3\n"));
    assertThat(files).anySatisfy(f -> assertThat(f.content()).contains("DPkg::Pre-Install-Pkgs"));
    assertThat(files).anySatisfy(f -> assertThat(f.content()).contains("n=${b%%_*}"));
    assertThat(files).anySatisfy(f -> assertThat(f.content()).isEqualTo("deb [trusted=yes] http://127.0.0.1:9/ ./\n"));

    LockMismatchException e = apt.mismatch("curl " + H + " " + "0".repeat(64) + " /var/cache/apt/archives/curl_1_amd64.deb\n",
        "the mirror");
    assertThat(e.subject()).isEqualTo("curl");
    assertThat(e.getMessage()).contains(H).contains("0".repeat(64)).contains("/var/cache/apt/archives/curl_1_amd64.deb")
        .contains("the mirror");
  }
}
