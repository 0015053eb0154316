package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.DistroQuirks;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.distro.NetworkStack;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.ServiceAction;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import java.util.List;
import java.util.Map;

/** Debian and Ubuntu: apt-get, GRUB, dracut, systemd-networkd. */
public final class DebianStrategy extends FamilyStrategy {
  /** Makes {@code invoke-rc.d} refuse to start services while packages install (exit 101 = action forbidden). */
  static final PackageManager.TemporaryFile POLICY_RC_D =
      new PackageManager.TemporaryFile(ImagePath.of("/usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 101\n", 0755);

  public DebianStrategy() {
    super(Family.DEBIAN, List.of("debian", "ubuntu"), Map.of());
  }

  /** Adds non-free-firmware to the main archive's lines, once, in whichever sources file the root has. */
  static final String RPI_COMPONENTS = "if [ -f /etc/apt/sources.list.d/debian.sources ]; then "
      + "sed -i '/^Components: main/ {/non-free-firmware/! s/$/ non-free-firmware/}' /etc/apt/sources.list.d/debian.sources; "
      + "else sed -i '/^deb .* main/ {/non-free-firmware/! s/$/ non-free-firmware/}' /etc/apt/sources.list; fi";

  @Override
  public PackageManager packageManager(DistroInfo info) {
    return manager("apt-get", info);
  }

  @Override
  List<Command> repositories(DistroInfo info, Model model) {
    if (model.isRaspberryPi() && info.distro().equals("debian")) {
      // The Raspberry Pi firmware lives in non-free-firmware. kairos-init edits the deb822 file of
      // Debian's container images; a debootstrapped root has the one-line sources.list instead.
      return List.of(Command.of("/bin/sh", "-c", RPI_COMPONENTS));
    }
    return List.of();
  }

  @Override
  List<PackageManager.TemporaryFile> serviceStartBlockers() {
    return List.of(POLICY_RC_D);
  }

  /**
   * open-iscsi's postinst writes a random initiator name, which every machine of the image would
   * share; {@code GenerateName=yes} makes iscsid's startup check write a fresh one at first start.
   */
  static final FirstBootFile ISCSI_INITIATOR = new FirstBootFile(ImagePath.of("/etc/iscsi/initiatorname.iscsi"),
      "## The iSCSI initiator name is made at the first start of iscsid (each machine needs its own).\n"
      + "GenerateName=yes\n");

  @Override
  public List<FirstBootFile> firstBootFiles(DistroInfo info) {
    return List.of(ISCSI_INITIATOR);
  }

  @Override
  void familyServices(DistroInfo info, RootFs root, List<ServiceAction> out) {
    enable(out, "fail2ban", "systemd-timesyncd", "ssh", "systemd-networkd");
  }

  @Override
  public DistroQuirks quirks(DistroInfo info, RootFs root) {
    List<String> modules = List.of("systemd-networkd", "network-legacy");
    boolean sysext = true;
    if (info.distro().equals("ubuntu") && version(info).isPresent()) {
      if (!atLeast(info, "20.04.1")) { // <= 20.04
        modules = List.of("network");
        sysext = false;
      } else if (!atLeast(info, "22.04.1")) { // 20.04 < v <= 22.04
        sysext = false;
      } else if (atLeast(info, "26.04")) {
        modules = List.of("systemd-networkd", "systemd-resolved");
      } else if (atLeast(info, "24.04")) {
        modules = List.of("systemd-networkd", "network-legacy", "systemd-resolved");
      }
    }
    return new DistroQuirks("grub", NetworkStack.SYSTEMD_NETWORKD, modules, sysext, false);
  }
}
