package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.DistroQuirks;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.distro.NetworkStack;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.ServiceAction;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** openSUSE Leap and Tumbleweed, SLES, SLE Micro for Rancher: zypper, grub2, dracut, systemd-networkd. */
public final class SuseStrategy extends FamilyStrategy {
  static final String SLE_MICRO = "SUSE Linux Enterprise Micro for Rancher.*";
  static final String OSS_REPO = """
      [opensuse-oss]
      enabled=1
      autorefresh=0
      baseurl=https://download.opensuse.org/distribution/leap/15.5/repo/oss/
      """;

  public SuseStrategy() {
    super(Family.SUSE, List.of("opensuse-leap", "opensuse-tumbleweed", "sles", "sle-micro-rancher"),
        Map.of("suse", "opensuse-leap"));
  }

  @Override
  public PackageManager packageManager(DistroInfo info) {
    return manager("zypper", info);
  }

  /**
   * SLE Micro has too few packages in its own repositories: add openSUSE Leap 15.5 OSS, pull vim,
   * the TPM tools and networkd from it, and drop the bundled kernel (the kernel step installs one).
   */
  @Override
  List<Command> repositories(DistroInfo info, Model model) {
    if (!prettyNameMatches(info, SLE_MICRO)) {
      return List.of();
    }
    return List.of(
        Command.builder("/bin/sh", "-c", "cat > /etc/zypp/repos.d/oss.repo")
            .stdin(OSS_REPO.getBytes(StandardCharsets.UTF_8)).build(),
        Command.of("zypper", "-n", "--gpg-auto-import-keys", "refresh"),
        Command.of("zypper", "-n", "install", "--force-resolution", "vim", "tpm2*"),
        Command.of("zypper", "-n", "install", "--force-resolution", "systemd-network"),
        packageManager(info).remove(List.of("kernel-default")));
  }

  @Override
  void familyServices(DistroInfo info, RootFs root, List<ServiceAction> out) {
    if (prettyNameMatches(info, SLE_MICRO)) {
      disable(out, "NetworkManager");
    } else {
      enable(out, "fail2ban", "systemd-timesyncd");
      if (prettyNameMatches(info, "^(SLES.*|SUSE Linux Enterprise Server.*|[Oo]penSUSE Leap.*)$")) {
        disable(out, "wicked");
        out.add(ServiceAction.mask("wicked"));
      }
    }
    enable(out, "sshd", "systemd-networkd", "systemd-resolved");
  }

  @Override
  public DistroQuirks quirks(DistroInfo info, RootFs root) {
    return new DistroQuirks("grub2", NetworkStack.SYSTEMD_NETWORKD, List.of("systemd-networkd", "network-legacy"), true,
        false);
  }
}
