package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.DistroQuirks;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.NetworkStack;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.ServiceAction;
import dev.kairos.factory.core.api.fs.RootFs;
import java.util.List;
import java.util.Map;

/**
 * Arch Linux: pacman. Detected, but a rolling release has no VERSION_ID, so the tables select only
 * the common packages (and, for Raspberry Pi, nothing) as in kairos-init.
 */
public final class ArchStrategy extends FamilyStrategy {
  public ArchStrategy() {
    super(Family.ARCH, List.of("arch"), Map.of());
  }

  @Override
  public PackageManager packageManager(DistroInfo info) {
    return manager("pacman", info);
  }

  @Override
  void familyServices(DistroInfo info, RootFs root, List<ServiceAction> out) {
    // kairos-init enables nothing specific on Arch.
  }

  @Override
  public DistroQuirks quirks(DistroInfo info, RootFs root) {
    return new DistroQuirks("grub", NetworkStack.SYSTEMD_NETWORKD, List.of("systemd-networkd", "network-legacy"), true,
        false);
  }
}
