package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.DistroQuirks;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.NetworkStack;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.PackageSelection;
import dev.kairos.factory.core.api.distro.PackageSet;
import dev.kairos.factory.core.api.distro.ServiceAction;
import dev.kairos.factory.core.api.fs.RootFs;
import java.util.List;
import java.util.Map;

/**
 * Hadron, Kairos' own distro: ships its kernel, dracut and systemd, so nothing is installed and
 * it has no package manager.
 */
public final class HadronStrategy extends FamilyStrategy {
  public HadronStrategy() {
    super(Family.HADRON, List.of("hadron"), Map.of());
  }

  @Override
  public PackageSet packages(PackageSelection selection) throws UnsupportedTargetException {
    if (selection.family() != Family.HADRON) {
      throw new IllegalArgumentException("the hadron strategy was given a " + selection.family() + " selection: " + selection);
    }
    if (!selection.model().supports(selection.arch())) {
      throw new UnsupportedTargetException("model", selection.model().id() + " on " + selection.arch(),
          List.of("generic"));
    }
    return new PackageSet(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
  }

  @Override
  public PackageManager packageManager(DistroInfo info) throws UnsupportedTargetException {
    throw new UnsupportedTargetException("package manager", "hadron (Hadron images come with their packages)",
        Strategies.all().stream().filter(s -> s.family() != Family.HADRON).map(s -> s.family().id()).toList());
  }

  @Override
  void familyServices(DistroInfo info, RootFs root, List<ServiceAction> out) {
    enable(out, "systemd-timesyncd", "sshd", "systemd-networkd", "systemd-resolved");
  }

  @Override
  public DistroQuirks quirks(DistroInfo info, RootFs root) {
    return new DistroQuirks("grub", NetworkStack.SYSTEMD_NETWORKD, List.of("systemd-networkd", "systemd-resolved"), true,
        false);
  }
}
