package dev.kairos.factory.core.api.distro;

import java.util.List;
import java.util.Objects;

/**
 * Family and release differences the pipeline must honour, decided from the distro and from what
 * is installed in the image (not from its name alone, where the image can tell).
 *
 * @param grubName the prefix of the GRUB tools: {@code grub} ({@code grub-editenv}; Debian,
 *     Alpine, Arch) or {@code grub2} ({@code grub2-editenv}; RHEL and SUSE families)
 * @param network what manages the network at run time
 * @param dracutNetworkModules the dracut modules for {@code kairos-network.conf} (§9.4), e.g.
 *     {@code [systemd-networkd, network-legacy]}; empty where dracut is not used
 * @param sysextInInitramfs whether {@code kairos-sysext.conf} adds {@code systemd-sysext} to the initramfs
 * @param disableSelinux whether {@code /etc/selinux/config} must say {@code SELINUX=disabled} (RHEL)
 */
public record DistroQuirks(String grubName, NetworkStack network, List<String> dracutNetworkModules,
    boolean sysextInInitramfs, boolean disableSelinux) {
  /**
   * Copies the module list.
   *
   * @throws IllegalArgumentException when {@code grubName} is neither {@code grub} nor {@code grub2}
   */
  public DistroQuirks {
    if (!"grub".equals(grubName) && !"grub2".equals(grubName)) {
      throw new IllegalArgumentException("grubName must be grub or grub2, got: " + grubName);
    }
    Objects.requireNonNull(network, "network");
    dracutNetworkModules = List.copyOf(dracutNetworkModules);
  }
}
