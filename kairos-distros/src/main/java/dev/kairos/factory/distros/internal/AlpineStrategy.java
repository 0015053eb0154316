package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.DistroQuirks;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.InitSystem;
import dev.kairos.factory.core.api.distro.InitrdTool;
import dev.kairos.factory.core.api.distro.NetworkStack;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.ServiceAction;
import dev.kairos.factory.core.api.fs.RootFs;
import java.util.List;
import java.util.Map;

/** Alpine: apk, OpenRC, mkinitfs, connman. */
public final class AlpineStrategy extends FamilyStrategy {
  public AlpineStrategy() {
    super(Family.ALPINE, List.of("alpine"), Map.of());
  }

  @Override
  InitSystem defaultInitSystem() {
    return InitSystem.OPENRC;
  }

  /** {@code 3.21.3} → {@code 3.21}: Kairos names Alpine releases by major.minor. */
  @Override
  String normaliseVersion(String versionId) {
    String[] parts = versionId.split("\\.");
    return parts.length == 3 ? parts[0] + "." + parts[1] : versionId;
  }

  @Override
  public PackageManager packageManager(DistroInfo info) {
    return manager("apk", info);
  }

  @Override
  public InitrdTool initrdTool() {
    return InitrdTool.MKINITFS;
  }

  @Override
  void familyServices(DistroInfo info, RootFs root, List<ServiceAction> out) {
    for (String boot : List.of("sshd", "fail2ban", "connman", "acpid", "hwclock", "syslog")) {
      out.add(ServiceAction.rcAdd(boot, "boot"));
    }
    for (String sysinit : List.of("udev", "udev-trigger", "cgroups")) {
      out.add(ServiceAction.rcAdd(sysinit, "sysinit"));
    }
    out.add(ServiceAction.rcAdd("ntpd", "boot"));
    out.add(ServiceAction.rcAdd("crond", "default"));
  }

  @Override
  public DistroQuirks quirks(DistroInfo info, RootFs root) {
    return new DistroQuirks("grub", NetworkStack.CONNMAN, List.of(), false, false);
  }
}
