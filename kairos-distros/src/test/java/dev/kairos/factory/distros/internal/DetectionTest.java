package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.InitSystem;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DetectionTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # file                | distro              | version  | family | init    | flavor              | flavor release        | pretty name
      ubuntu-20.04          | ubuntu              | 20.04    | debian | systemd | ubuntu              | 20.04                 | Ubuntu 20.04.6 LTS
      ubuntu-22.04          | ubuntu              | 22.04    | debian | systemd | ubuntu              | 22.04                 | Ubuntu 22.04.5 LTS
      ubuntu-24.04          | ubuntu              | 24.04    | debian | systemd | ubuntu              | 24.04                 | Ubuntu 24.04.1 LTS
      ubuntu-25.10          | ubuntu              | 25.10    | debian | systemd | ubuntu              | 25.10                 | Ubuntu 25.10
      ubuntu-26.04          | ubuntu              | 26.04    | debian | systemd | ubuntu              | 26.04                 | Ubuntu 26.04 LTS
      debian-11             | debian              | 11       | debian | systemd | debian              | 11                    | Debian GNU/Linux 11 (bullseye)
      debian-12             | debian              | 12       | debian | systemd | debian              | 12                    | Debian GNU/Linux 12 (bookworm)
      debian-13             | debian              | 13       | debian | systemd | debian              | 13                    | Debian GNU/Linux 13 (trixie)
      fedora-42             | fedora              | 42       | redhat | systemd | fedora              | 42                    | Fedora Linux 42 (Container Image)
      rocky-8               | rocky               | 8.9      | redhat | systemd | rocky               | 8.9                   | Rocky Linux 8.9 (Green Obsidian)
      rocky-9               | rocky               | 9.4      | redhat | systemd | rocky               | 9.4                   | Rocky Linux 9.4 (Blue Onyx)
      almalinux-8           | almalinux           | 8.10     | redhat | systemd | almalinux           | 8.10                  | AlmaLinux 8.10 (Cerulean Leopard)
      almalinux-9           | almalinux           | 9.4      | redhat | systemd | almalinux           | 9.4                   | AlmaLinux 9.4 (Seafoam Ocelot)
      almalinux-10          | almalinux           | 10.0     | redhat | systemd | almalinux           | 10.0                  | AlmaLinux 10.0 (Purple Lion)
      rhel-8                | rhel                | 8.10     | redhat | systemd | rhel                | 8.10                  | Red Hat Enterprise Linux 8.10 (Ootpa)
      rhel-9                | rhel                | 9.4      | redhat | systemd | rhel                | 9.4                   | Red Hat Enterprise Linux 9.4 (Plow)
      centos-stream-9       | rhel                | 9        | redhat | systemd | rhel                | 9                     | CentOS Stream 9
      oraclelinux-9         | ol                  | 9.4      | redhat | systemd | ol                  | 9.4                   | Oracle Linux Server 9.4
      opensuse-leap-15.6    | opensuse-leap       | 15.6     | suse   | systemd | opensuse            | leap-15.6             | openSUSE Leap 15.6
      opensuse-tumbleweed   | opensuse-tumbleweed | 20250101 | suse   | systemd | opensuse            | tumbleweed-20250101   | openSUSE Tumbleweed
      sles-15.6             | sles                | 15.6     | suse   | systemd | sles                | 15.6                  | SUSE Linux Enterprise Server 15 SP6
      sle-micro-rancher-5.4 | sle-micro-rancher   | 5.4      | suse   | systemd | sle-micro-rancher   | 5.4                   | SUSE Linux Enterprise Micro for Rancher 5.4
      alpine-3.21           | alpine              | 3.21     | alpine | openrc  | alpine              | 3.21                  | Alpine Linux v3.21
      arch                  | arch                | ''       | arch   | systemd | arch                | ''                    | Arch Linux
      hadron                | hadron              | ''       | hadron | systemd | hadron              | ''                    | Hadron Linux
      linuxmint-22          | ubuntu              | 22       | debian | systemd | ubuntu              | 22                    | Linux Mint 22
      """)
  void detectsRealOsReleaseFiles(String file, String distro, String version, String family, String init, String flavor,
      String flavorRelease, String prettyName) throws Exception {
    DistroInfo info = Distros.detect(TestImages.image(file), Strategies.all());
    assertThat(info.distro()).isEqualTo(distro);
    assertThat(info.version()).isEqualTo(version);
    assertThat(info.family()).isEqualTo(Family.parse(family));
    assertThat(info.initSystem().id()).isEqualTo(init);
    assertThat(info.arch()).isEqualTo(Architecture.AMD64);
    assertThat(info.prettyName()).isEqualTo(prettyName);
    assertThat(info.osRelease().source()).isEqualTo("/etc/os-release");
    assertThat(info.kairosReleaseFields()).containsExactly(
        Map.entry("KAIROS_ARCH", "amd64"), Map.entry("KAIROS_FAMILY", family), Map.entry("KAIROS_FLAVOR", flavor),
        Map.entry("KAIROS_FLAVOR_RELEASE", flavorRelease), Map.entry("KAIROS_TARGETARCH", "amd64"));
  }

  @Test
  void serviceLoaderFindsEveryFamily() throws Exception {
    assertThat(Distros.installed()).extracting(s -> s.family()).containsExactly(Family.values());
    assertThat(Distros.detect(TestImages.image("rocky-9")).distro()).isEqualTo("rocky");
  }

  @Test
  void unsupportedDistroListsSupportedOnes() {
    assertThatThrownBy(() -> Distros.detect(TestImages.image("gentoo"), Strategies.all()))
        .isInstanceOf(UnsupportedTargetException.class)
        .hasMessage("unsupported distro 'gentoo'; supported: debian, ubuntu, fedora, rocky, almalinux, ol, rhel,"
            + " opensuse-leap, opensuse-tumbleweed, sles, sle-micro-rancher, alpine, arch, hadron");
  }

  @Test
  void familyMarkersInIdLike() throws Exception {
    RootFs root = TestImages.image("gentoo");
    root.delete(ImagePath.of("/usr/lib/os-release"));
    root.writeString(ImagePath.of("/usr/lib/os-release"), "ID=\"openEuler\"\nID_LIKE=\"redhat\"\nVERSION_ID=\"24.03\"\n");
    assertThat(Distros.detect(root, Strategies.all()).distro()).isEqualTo("fedora");
    root.writeString(ImagePath.of("/usr/lib/os-release"), "ID=\"sle-micro\"\nID_LIKE=\"suse\"\nVERSION_ID=\"6.0\"\n");
    assertThat(Distros.detect(root, Strategies.all()).distro()).isEqualTo("opensuse-leap");
  }

  @Test
  void architectureComesFromTheImagesShell() throws Exception {
    RootFs root = TestImages.image("debian-12");
    TestImages.elf(root, "/usr/bin/dash", 183);
    assertThat(Distros.detect(root, Strategies.all()).arch()).isEqualTo(Architecture.ARM64);
    TestImages.elf(root, "/usr/bin/dash", 243);
    assertThat(Distros.detect(root, Strategies.all()).arch()).isEqualTo(Architecture.RISCV64);
    TestImages.elf(root, "/usr/bin/dash", 22); // s390
    assertThatThrownBy(() -> Distros.detect(root, Strategies.all()))
        .isInstanceOf(UnsupportedTargetException.class).hasMessageContaining("ELF machine 22")
        .hasMessageContaining("amd64, arm64, riscv64");
  }

  @Test
  void initSystemComesFromInstalledBinaries() throws Exception {
    RootFs alpine = TestImages.image("alpine-3.21");
    TestImages.file(alpine, "/sbin/openrc");
    assertThat(Distros.detect(alpine, Strategies.all()).initSystem()).isEqualTo(InitSystem.OPENRC);
    RootFs debian = TestImages.image("debian-12");
    TestImages.file(debian, "/usr/sbin/openrc");
    assertThat(Distros.detect(debian, Strategies.all()).initSystem()).isEqualTo(InitSystem.OPENRC);
    TestImages.file(debian, "/usr/bin/systemctl");
    // both present: the family default
    assertThat(Distros.detect(debian, Strategies.all()).initSystem()).isEqualTo(InitSystem.SYSTEMD);
  }

  @Test
  void malformedOsReleaseNamesFileAndLine() throws Exception {
    RootFs root = TestImages.image("debian-12");
    root.writeString(ImagePath.of("/usr/lib/os-release"), "ID=debian\nVERSION_ID=\"12\nNAME=x\n");
    assertThatThrownBy(() -> Distros.detect(root, Strategies.all()))
        .hasMessageStartingWith("/etc/os-release:2:").hasMessageContaining("unterminated");
  }
}
