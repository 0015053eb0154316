package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.distro.Architecture;
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
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fedora, Rocky, AlmaLinux, Oracle Linux, RHEL (and CentOS Stream, detected as rhel): dnf, EPEL,
 * grub2, dracut, NetworkManager where installed.
 */
public final class RedHatStrategy extends FamilyStrategy {
  static final String RHEL = "Red\\sHat.*";
  static final String CLONES_WITH_EPEL_PACKAGE = "AlmaLinux.*|Rocky.*|CentOS.*";
  static final String ORACLE = "Oracle\\sLinux.*";
  static final String FEDORA_AND_CLONES = "Fedora.*|CentOS.*|Rocky.*|AlmaLinux.*|Oracle\\sLinux.*";
  static final String RHEL_FAMILY = "CentOS.*|Red\\sHat.*|Rocky.*|AlmaLinux.*|Oracle\\sLinux.*|Fedora.*";
  private static final ImagePath FAIL2BAN_SERVER = ImagePath.of("/usr/bin/fail2ban-server");

  public RedHatStrategy() {
    super(Family.REDHAT, List.of("fedora", "rocky", "almalinux", "ol", "rhel"), Map.of("redhat", "fedora"));
  }

  @Override
  public PackageManager packageManager(DistroInfo info) {
    return manager("dnf", info);
  }

  @Override
  List<Command> repositories(DistroInfo info, Model model) {
    List<Command> out = new ArrayList<>();
    PackageManager dnf = packageManager(info);
    if (prettyNameMatches(info, CLONES_WITH_EPEL_PACKAGE)) {
      out.add(dnf.install(List.of("epel-release")));
    }
    if (prettyNameMatches(info, ORACLE)) {
      out.add(dnf.install(List.of("oracle-epel-release-el" + major(info))));
      if (info.version().matches("10\\..*") && info.arch() == Architecture.ARM64) {
        out.add(Command.of("dnf", "config-manager", "--enable", "ol10_UEKR8"));
      }
    }
    if (prettyNameMatches(info, RHEL)) {
      // Without a subscription epel-release is not in the repositories; fall back to the Fedora project's RPM.
      out.add(Command.shell("dnf install -y epel-release || dnf install -y "
          + "https://dl.fedoraproject.org/pub/epel/epel-release-latest-" + major(info) + ".noarch.rpm"));
    }
    return out;
  }

  @Override
  void familyServices(DistroInfo info, RootFs root, List<ServiceAction> out) throws IOException {
    boolean fedora = prettyNameMatches(info, "Fedora.*");
    if (fedora || root.isRegularFile(FAIL2BAN_SERVER)) {
      enable(out, "fail2ban");
    }
    enable(out, "chronyd");
    if (prettyNameMatches(info, FEDORA_AND_CLONES)) {
      unmask(out, "getty.target", "systemd-udevd", "systemd-logind");
      enable(out, "sshd", "systemd-resolved");
      disable(out, "dnf-makecache", "dnf-makecache.timer");
    }
    if (prettyNameMatches(info, RHEL)) {
      unmask(out, "getty.target", "console-getty", "systemd-udevd", "systemd-udev-trigger", "systemd-logind",
          "systemd-random-seed", "systemd-remount-fs");
      enable(out, "sshd", "systemd-resolved", "getty@tty1", "getty@tty2", "getty@tty3", "tmp.mount",
          "proc-sys-fs-binfmt_misc.mount");
      disable(out, "dnf-makecache", "dnf-makecache.timer", "selinux-autorelabel-mark");
    }
    if (root.isRegularFile(NETWORKD)) {
      enable(out, "systemd-networkd");
    }
    if (root.isRegularFile(NETWORK_MANAGER)) {
      enable(out, "NetworkManager");
    }
  }

  @Override
  public DistroQuirks quirks(DistroInfo info, RootFs root) throws IOException {
    boolean sysext = version(info).isEmpty() || atLeast(info, "9.0");
    boolean selinuxOff = prettyNameMatches(info, "Red.*Hat.*");
    if (root.isRegularFile(NETWORK_MANAGER)) {
      return new DistroQuirks("grub2", NetworkStack.NETWORK_MANAGER, List.of("network-manager"), sysext, selinuxOff);
    }
    if (info.distro().equals("fedora") && root.isRegularFile(NETWORKD)) {
      List<String> modules = root.isRegularFile(RESOLVED)
          ? List.of("systemd-networkd", "systemd-resolved") : List.of("systemd-networkd");
      return new DistroQuirks("grub2", NetworkStack.SYSTEMD_NETWORKD, modules, sysext, selinuxOff);
    }
    List<String> legacy = atLeast(info, "10") ? List.of("network") : List.of("network-legacy");
    return new DistroQuirks("grub2", NetworkStack.LEGACY, legacy, sysext, selinuxOff);
  }
}
