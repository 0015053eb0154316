package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PackageManagerTest {
  private static DistroInfo info(String osRelease) throws Exception {
    return Distros.detect(TestImages.image(osRelease), Strategies.all());
  }

  private static PackageManager pm(String osRelease) throws Exception {
    DistroInfo i = info(osRelease);
    return Distros.strategy(i.family(), Strategies.all()).packageManager(i);
  }

  private static String line(Command c) {
    return String.join(" ", c.argv());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      debian-12           | apt-get | apt-get -y update    | apt-get -y -o Dpkg::Options::=--force-unsafe-io -o DPkg::Path=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin upgrade | apt-get -y -o Dpkg::Options::=--force-unsafe-io -o DPkg::Path=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin --no-install-recommends install a b | apt-get -y remove a b
      ubuntu-24.04        | apt-get | apt-get -y update    | apt-get -y -o Dpkg::Options::=--force-unsafe-io -o DPkg::Path=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin upgrade | apt-get -y -o Dpkg::Options::=--force-unsafe-io -o DPkg::Path=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin --no-install-recommends install a b | apt-get -y remove a b
      rocky-9             | dnf     | dnf makecache        | dnf update -y           | dnf install -y --setopt=install_weak_deps=False a b  | dnf remove -y a b
      centos-stream-9     | dnf     | dnf makecache        | dnf update -y           | dnf install -y --setopt=install_weak_deps=False a b  | dnf remove -y a b
      opensuse-leap-15.6  | zypper  | zypper refresh       | zypper update -y        | zypper install -y --no-recommends a b                | zypper remove -y a b
      sles-15.6           | zypper  | zypper refresh       | zypper update -y        | zypper install -y --no-recommends a b                | zypper remove -y a b
      alpine-3.21         | apk     | apk update           | apk upgrade --no-cache  | apk add --no-cache a b                               | apk del --no-cache a b
      arch                | pacman  | pacman -Sy --noconfirm | pacman -Syu --noconfirm | pacman -S --noconfirm a b                         | pacman -R --noconfirm a b
      """)
  void exactCommandsPerFamily(String osRelease, String name, String refresh, String upgrade, String install,
      String remove) throws Exception {
    PackageManager pm = pm(osRelease);
    assertThat(pm.name()).isEqualTo(name);
    assertThat(line(pm.refresh())).isEqualTo(refresh);
    assertThat(line(pm.upgrade())).isEqualTo(upgrade);
    assertThat(line(pm.install(List.of("a", "b")))).isEqualTo(install);
    assertThat(line(pm.remove(List.of("a", "b")))).isEqualTo(remove);
    Map<String, String> env = name.equals("apt-get") ? Map.of("DEBIAN_FRONTEND", "noninteractive") : Map.of();
    assertThat(pm.environment()).isEqualTo(env);
    assertThat(pm.install(List.of("a")).env()).isEqualTo(env);
    assertThat(pm.clean()).isNotEmpty().allSatisfy(c -> assertThat(c.env()).isEqualTo(env));
  }

  @Test
  void refusesBadPackageNames() throws Exception {
    PackageManager apt = pm("debian-12");
    assertThatThrownBy(() -> apt.install(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> apt.install(List.of("--allow-unauthenticated")))
        .hasMessageContaining("--allow-unauthenticated");
    assertThatThrownBy(() -> apt.remove(List.of("a b"))).hasMessageContaining("'a b'");
  }

  /** The step cache's dry run: apt's own, in two commands against the indexes the caller keeps; none elsewhere yet. */
  @Test
  void aptResolvesWithAnUpdateThenADryRunAgainstTheCallersIndexes() throws Exception {
    PackageManager.Resolution r = pm("debian-12").resolve(List.of("sudo", "linux-image-amd64")).orElseThrow();
    for (Command c : List.of(r.update(), r.simulate())) {
      assertThat(c.argv().subList(0, 2)).containsExactly("/bin/sh", "-c");
      assertThat(c.argv().get(2)).contains("l=${" + PackageManager.RESOLVE_INDEXES_ENV + ":?");
      assertThat(c.env()).containsEntry("DEBIAN_FRONTEND", "noninteractive");
    }
    assertThat(r.update().argv().get(2)).contains("-o Dir::State::Lists=\"$l\"", "-qq update").doesNotContain(" -s ");
    assertThat(r.simulate().argv().get(2)).doesNotContain("update")
        .contains("apt-get -o Dir::State::Lists=\"$l\" -o Dir::Cache::pkgcache=")
        .contains("-s '-y' '-o' 'Dpkg::Options::=--force-unsafe-io' '-o' 'DPkg::Path=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' 'upgrade'",
            "-s '-y' '-o' 'Dpkg::Options::=--force-unsafe-io' "
            + "'-o' 'DPkg::Path=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' '--no-install-recommends' 'install' 'sudo' 'linux-image-amd64'");
    assertThat(pm("rocky-9").resolve(List.of("a"))).isEmpty();
  }

  /** apt's own listing of what the install would fetch: the same command with --print-uris, nothing else changed. */
  @Test
  void aptListsAnInstallsDownloadsWithTheSameCommandAndPrintUris() throws Exception {
    Command install = pm("debian-12").install(List.of("sudo")).toBuilder().env("INITRD", "No").build();
    Command c = pm("debian-12").listDownloads(install).orElseThrow();
    assertThat(c.argv()).containsExactly("apt-get", "--print-uris", "-qq", "-o", "Acquire::ForceHash=SHA256", "-y", "-o", "Dpkg::Options::=--force-unsafe-io",
        "-o", "DPkg::Path=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin", "--no-install-recommends", "install", "sudo");
    assertThat(c.env()).isEqualTo(install.env());
    assertThat(pm("debian-12").listDownloads(Command.of("dpkg", "-i", "x.deb"))).isEmpty();
    assertThat(pm("rocky-9").listDownloads(pm("rocky-9").install(List.of("a")))).isEmpty();
  }

  @Test
  void aptsPrintedDownloadsGoToItsArchivesAndOnlyByAPlainFileName() throws Exception {
    String h = "AB".repeat(32);
    String text = "Reading package lists...\n"
        + "'http://deb.debian.org/debian/pool/main/s/sudo/sudo_1.9.13p3-1%2bdeb12u1_amd64.deb' sudo_1.9.13p3-1+deb12u1_amd64.deb 1889260 SHA256:" + h + "\n"
        + "'http://m/pool/x/x_1%3a2_all.deb' x_1%3a2_all.deb 10 SHA512:" + "cd".repeat(64) + "\n"
        + "'http://m/evil.deb' ../../etc/evil.deb 10 SHA256:" + h + "\n"
        + "'http://m/not-a-size.deb' y_1_all.deb ten SHA256:" + h + "\n";
    List<PackageManager.Download> d = pm("debian-12").downloads(text);
    assertThat(d).containsExactly(
        new PackageManager.Download("http://deb.debian.org/debian/pool/main/s/sudo/sudo_1.9.13p3-1%2bdeb12u1_amd64.deb",
            ImagePath.of("/var/cache/apt/archives/sudo_1.9.13p3-1+deb12u1_amd64.deb"), 1889260, "SHA256", h.toLowerCase()),
        new PackageManager.Download("http://m/pool/x/x_1%3a2_all.deb", ImagePath.of("/var/cache/apt/archives/x_1%3a2_all.deb"),
            10, "SHA512", "cd".repeat(64)));
    assertThat(pm("rocky-9").downloads(text)).isEmpty();
  }

  /** A repository's Release file vouches for its indexes (apt checks them against it); nothing vouches for itself. */
  @Test
  void aptIndexesAreVouchedForByTheirRepositorysReleaseFile() throws Exception {
    PackageManager apt = pm("debian-12");
    java.util.Set<String> names = java.util.Set.of("deb.debian.org_debian_dists_bookworm_InRelease",
        "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages", "_srv_repo_._Release", "_srv_repo_._Release.gpg",
        "_srv_repo_._Packages", "_srv_other_._Packages");
    assertThat(apt.indexVouchedFor("deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages", names)).isTrue();
    assertThat(apt.indexVouchedFor("_srv_repo_._Packages", names)).isTrue();
    assertThat(apt.indexVouchedFor("_srv_other_._Packages", names)).as("a repository without a Release file").isFalse();
    assertThat(apt.indexVouchedFor("deb.debian.org_debian_dists_bookworm_InRelease", names)).isFalse();
    assertThat(apt.indexVouchedFor("_srv_repo_._Release.gpg", names)).isFalse();
    assertThat(pm("rocky-9").indexVouchedFor("_srv_repo_._Packages", names)).isFalse();
  }

  @Test
  void debianBlocksServiceStartsWithPolicyRcD() throws Exception {
    assertThat(pm("debian-12").serviceStartBlockers()).containsExactly(
        new PackageManager.TemporaryFile(ImagePath.of("/usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 101\n", 0755));
    assertThat(pm("rocky-9").serviceStartBlockers()).isEmpty();
  }

  /** apt puts /usr/local/sbin first on the maintainer scripts' PATH, where Debian's install shims are. */
  @Test
  void debianRunsUpdateCaCertificatesThroughItsShim() throws Exception {
    assertThat(pm("debian-12").installShims()).extracting(PackageManager.TemporaryFile::path).containsExactly(
        ImagePath.of("/usr/local/sbin/update-ca-certificates"), ImagePath.of("/usr/local/sbin/.update-ca-certificates.state"));
    assertThat(pm("debian-12").installShims().get(0).content()).startsWith("#!/bin/sh\n")
        .contains("/usr/sbin/update-ca-certificates \"$@\"");
    assertThat(pm("rocky-9").installShims()).isEmpty();
  }

  @Test
  void logsOfTheBuildAreNamedPerPackageManager() throws Exception {
    assertThat(pm("debian-12").logs()).extracting(ImagePath::toString).contains("/var/log/dpkg.log",
        "/var/log/alternatives.log", "/var/log/apt/history.log", "/var/log/apt/term.log", "/var/log/bootstrap.log");
    assertThat(pm("rocky-9").logs()).extracting(ImagePath::toString).contains("/var/log/dnf.log", "/var/log/dnf.rpm.log");
    assertThat(pm("sles-15.6").logs()).extracting(ImagePath::toString).contains("/var/log/zypp/history");
    assertThat(pm("alpine-3.21").logs()).isEmpty();
  }

  @Test
  void debianResetsTheIscsiInitiatorNameForFirstBoot() throws Exception {
    DistroInfo i = info("debian-12");
    assertThat(Distros.strategy(i.family(), Strategies.all()).firstBootFiles(i)).singleElement().satisfies(f -> {
      assertThat(f.path()).isEqualTo(ImagePath.of("/etc/iscsi/initiatorname.iscsi"));
      assertThat(f.content()).contains("\nGenerateName=yes\n").doesNotContain("InitiatorName=");
    });
    DistroInfo rocky = info("rocky-9");
    assertThat(Distros.strategy(rocky.family(), Strategies.all()).firstBootFiles(rocky)).isEmpty();
  }

  @Test
  void repositoriesPerDistro() throws Exception {
    assertThat(pm("rocky-9").addRepositories(Model.GENERIC)).extracting(PackageManagerTest::line)
        .containsExactly("dnf install -y --setopt=install_weak_deps=False epel-release");
    assertThat(pm("almalinux-9").addRepositories(Model.GENERIC)).hasSize(1);
    assertThat(pm("centos-stream-9").addRepositories(Model.GENERIC)).extracting(PackageManagerTest::line)
        .containsExactly("dnf install -y --setopt=install_weak_deps=False epel-release");
    assertThat(pm("oraclelinux-9").addRepositories(Model.GENERIC)).extracting(PackageManagerTest::line)
        .containsExactly("dnf install -y --setopt=install_weak_deps=False oracle-epel-release-el9");
    assertThat(pm("rhel-9").addRepositories(Model.GENERIC)).extracting(PackageManagerTest::line)
        .containsExactly("/bin/sh -c dnf install -y epel-release || dnf install -y "
            + "https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm");
    assertThat(pm("fedora-42").addRepositories(Model.GENERIC)).isEmpty();
    assertThat(pm("debian-12").addRepositories(Model.GENERIC)).isEmpty();
    assertThat(pm("debian-12").addRepositories(Model.RPI4)).extracting(PackageManagerTest::line)
        .containsExactly("/bin/sh -c " + DebianStrategy.RPI_COMPONENTS);
    assertThat(pm("ubuntu-24.04").addRepositories(Model.RPI4)).isEmpty();
    List<Command> micro = pm("sle-micro-rancher-5.4").addRepositories(Model.GENERIC);
    assertThat(micro).extracting(PackageManagerTest::line).containsExactly(
        "/bin/sh -c cat > /etc/zypp/repos.d/oss.repo",
        "zypper -n --gpg-auto-import-keys refresh",
        "zypper -n install --force-resolution vim tpm2*",
        "zypper -n install --force-resolution systemd-network",
        "zypper remove -y kernel-default");
    assertThat(new String(micro.get(0).stdin(), StandardCharsets.UTF_8))
        .contains("baseurl=https://download.opensuse.org/distribution/leap/15.5/repo/oss/");
    assertThat(pm("opensuse-leap-15.6").addRepositories(Model.GENERIC)).isEmpty();
  }

  @Test
  void oracle10Arm64EnablesUek() throws Exception {
    RootFs root = TestImages.image("oraclelinux-9");
    root.writeString(ImagePath.of("/usr/lib/os-release"), TestImages.osRelease("oraclelinux-9").replace("9.4", "10.0"));
    TestImages.elf(root, "/usr/bin/dash", 183);
    DistroInfo i = Distros.detect(root, Strategies.all());
    assertThat(Distros.strategy(i.family(), Strategies.all()).packageManager(i).addRepositories(Model.GENERIC))
        .extracting(PackageManagerTest::line).containsExactly(
            "dnf install -y --setopt=install_weak_deps=False oracle-epel-release-el10",
            "dnf config-manager --enable ol10_UEKR8");
  }

  @Test
  void hadronHasNoPackageManager() {
    assertThatThrownBy(() -> pm("hadron")).isInstanceOf(UnsupportedTargetException.class)
        .hasMessageContaining("supported: debian, redhat, suse, alpine, arch");
  }
}
