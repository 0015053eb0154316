package dev.kairos.factory.core.api.distro;

/** What manages the network of an image at run time (decides services and initramfs modules). */
public enum NetworkStack {
  /** systemd-networkd (+ systemd-resolved where installed): Debian, Ubuntu, SUSE, Hadron, Fedora without NM. */
  SYSTEMD_NETWORKD,
  /** NetworkManager: the RHEL family when {@code /usr/sbin/NetworkManager} exists. */
  NETWORK_MANAGER,
  /** connman: Alpine. */
  CONNMAN,
  /** ifup-style network-legacy: RHEL family images without NetworkManager or networkd. */
  LEGACY
}
