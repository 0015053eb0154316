package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.DistroQuirks;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.distro.InitrdTool;
import dev.kairos.factory.core.api.distro.NetworkStack;
import dev.kairos.factory.core.api.distro.ServiceAction;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServicesAndQuirksTest {
  private record Image(RootFs root, DistroInfo info, DistroStrategy strategy) {
    List<String> services() throws Exception {
      return strategy.services(info, root).stream().map(ServiceAction::toString).toList();
    }

    DistroQuirks quirks() throws Exception {
      return strategy.quirks(info, root);
    }
  }

  private static Image image(String osRelease, String... files) throws Exception {
    RootFs root = TestImages.image(osRelease);
    for (String f : files) {
      TestImages.file(root, f);
    }
    DistroInfo info = Distros.detect(root, Strategies.all());
    return new Image(root, info, Distros.strategy(info.family(), Strategies.all()));
  }

  @Test
  void debianAndUbuntu() throws Exception {
    assertThat(image("debian-12").services()).containsExactly("systemctl mask systemd-firstboot.service",
        "systemctl enable fail2ban", "systemctl enable systemd-timesyncd", "systemctl enable ssh",
        "systemctl enable systemd-networkd");
    assertThat(image("ubuntu-24.04").services()).isEqualTo(image("debian-12").services());
  }

  @Test
  void redHatFamilyDependsOnWhatIsInstalled() throws Exception {
    assertThat(image("rocky-9", "/usr/sbin/NetworkManager").services()).containsExactly(
        "systemctl mask systemd-firstboot.service", "systemctl enable chronyd", "systemctl unmask getty.target",
        "systemctl unmask systemd-udevd", "systemctl unmask systemd-logind", "systemctl enable sshd",
        "systemctl enable systemd-resolved", "systemctl disable dnf-makecache", "systemctl disable dnf-makecache.timer",
        "systemctl enable NetworkManager");
    assertThat(image("rocky-9", "/usr/bin/fail2ban-server").services()).contains("systemctl enable fail2ban")
        .doesNotContain("systemctl enable NetworkManager");
    assertThat(image("fedora-42").services()).contains("systemctl enable fail2ban", "systemctl enable sshd");
    List<String> rhel = image("rhel-9", "/usr/lib/systemd/systemd-networkd").services();
    assertThat(rhel).contains("systemctl unmask console-getty", "systemctl enable getty@tty3",
        "systemctl disable selinux-autorelabel-mark", "systemctl enable systemd-networkd")
        .doesNotContain("systemctl enable fail2ban");
    assertThat(image("centos-stream-9").services()).contains("systemctl unmask systemd-logind")
        .doesNotContain("systemctl unmask console-getty");
  }

  @Test
  void suseAndSleMicro() throws Exception {
    assertThat(image("opensuse-leap-15.6").services()).containsExactly("systemctl mask systemd-firstboot.service",
        "systemctl enable fail2ban", "systemctl enable systemd-timesyncd", "systemctl disable wicked",
        "systemctl mask wicked", "systemctl enable sshd", "systemctl enable systemd-networkd",
        "systemctl enable systemd-resolved");
    assertThat(image("opensuse-tumbleweed").services()).doesNotContain("systemctl disable wicked");
    assertThat(image("sles-15.6").services()).contains("systemctl mask wicked");
    assertThat(image("sle-micro-rancher-5.4").services()).containsExactly("systemctl mask systemd-firstboot.service",
        "systemctl disable NetworkManager", "systemctl enable sshd", "systemctl enable systemd-networkd",
        "systemctl enable systemd-resolved");
  }

  @Test
  void alpineUsesOpenRc() throws Exception {
    assertThat(image("alpine-3.21").services()).containsExactly("rc-update add sshd boot",
        "rc-update add fail2ban boot", "rc-update add connman boot", "rc-update add acpid boot",
        "rc-update add hwclock boot", "rc-update add syslog boot", "rc-update add udev sysinit",
        "rc-update add udev-trigger sysinit", "rc-update add cgroups sysinit", "rc-update add ntpd boot",
        "rc-update add crond default");
  }

  @Test
  void hadronAndArch() throws Exception {
    assertThat(image("hadron").services()).containsExactly("systemctl mask systemd-firstboot.service",
        "systemctl enable systemd-timesyncd", "systemctl enable sshd", "systemctl enable systemd-networkd",
        "systemctl enable systemd-resolved");
    assertThat(image("arch").services()).containsExactly("systemctl mask systemd-firstboot.service");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      ubuntu-20.04       | -                                 | grub  | SYSTEMD_NETWORKD | network                                        | false
      ubuntu-22.04       | -                                 | grub  | SYSTEMD_NETWORKD | systemd-networkd network-legacy                | false
      ubuntu-24.04       | -                                 | grub  | SYSTEMD_NETWORKD | systemd-networkd network-legacy systemd-resolved | true
      ubuntu-25.10       | -                                 | grub  | SYSTEMD_NETWORKD | systemd-networkd network-legacy systemd-resolved | true
      ubuntu-26.04       | -                                 | grub  | SYSTEMD_NETWORKD | systemd-networkd systemd-resolved              | true
      debian-12          | -                                 | grub  | SYSTEMD_NETWORKD | systemd-networkd network-legacy                | true
      rocky-9            | /usr/sbin/NetworkManager          | grub2 | NETWORK_MANAGER  | network-manager                                | true
      rhel-8             | /usr/sbin/NetworkManager          | grub2 | NETWORK_MANAGER  | network-manager                                | false
      fedora-42          | /usr/lib/systemd/systemd-networkd | grub2 | SYSTEMD_NETWORKD | systemd-networkd                               | true
      rocky-9            | /usr/lib/systemd/systemd-networkd | grub2 | LEGACY           | network-legacy                                 | true
      almalinux-10       | -                                 | grub2 | LEGACY           | network                                        | true
      opensuse-leap-15.6 | -                                 | grub2 | SYSTEMD_NETWORKD | systemd-networkd network-legacy                | true
      alpine-3.21        | -                                 | grub  | CONNMAN          | ''                                             | false
      hadron             | -                                 | grub  | SYSTEMD_NETWORKD | systemd-networkd systemd-resolved              | true
      """)
  void quirks(String osRelease, String installed, String grub, NetworkStack network, String modules, boolean sysext)
      throws Exception {
    DistroQuirks q = installed == null ? image(osRelease).quirks() : image(osRelease, installed).quirks();
    assertThat(q.grubName()).isEqualTo(grub);
    assertThat(q.network()).isEqualTo(network);
    assertThat(String.join(" ", q.dracutNetworkModules())).isEqualTo(modules);
    assertThat(q.sysextInInitramfs()).isEqualTo(sysext);
    assertThat(q.disableSelinux()).isEqualTo(osRelease.startsWith("rhel"));
  }

  @Test
  void fedoraWithResolvedAddsItToTheInitramfs() throws Exception {
    assertThat(image("fedora-42", "/usr/lib/systemd/systemd-networkd", "/usr/lib/systemd/systemd-resolved")
        .quirks().dracutNetworkModules()).containsExactly("systemd-networkd", "systemd-resolved");
  }

  @Test
  void initrdToolAndCommands() throws Exception {
    Image debian = image("debian-12");
    assertThat(debian.strategy().initrdTool()).isEqualTo(InitrdTool.DRACUT);
    assertThat(debian.strategy().initrdCommands(debian.info(), "6.1.0-28-amd64", ImagePath.of("/boot/initrd")))
        .extracting(Command::argv).containsExactly(List.of("depmod", "-a", "6.1.0-28-amd64"),
            List.of("dracut", "--reproducible", "--nohardlink", "--compress", "zstd -10 -q -T0", "-f", "/boot/initrd", "6.1.0-28-amd64"));
    // no device nodes made by dracut: a rootless build could not make them, and both builds give the same initrd
    assertThat(debian.strategy().initrdCommands(debian.info(), "6.1.0-28-amd64", ImagePath.of("/boot/initrd")).get(1).env())
        .containsEntry("DRACUT_NO_MKNOD", "1");
    Image alpine = image("alpine-3.21");
    assertThat(alpine.strategy().initrdTool()).isEqualTo(InitrdTool.MKINITFS);
    assertThat(alpine.strategy().initrdCommands(alpine.info(), "6.12.13-0-lts", ImagePath.of("/boot/initrd")))
        .extracting(Command::argv).containsExactly(List.of("depmod", "-a", "6.12.13-0-lts"),
            List.of("mkinitfs", "-o", "/boot/initrd", "6.12.13-0-lts"));
  }
}
