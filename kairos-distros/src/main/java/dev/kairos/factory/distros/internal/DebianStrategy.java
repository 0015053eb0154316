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
   * ca-certificates' postinst runs {@code update-ca-certificates} without hooks and then
   * activates its own trigger, which runs it again with the hooks of
   * {@code /etc/ca-certificates/update.d} (21 s of a cold build's 59 s of it, for "0 added, 0
   * removed"). This one comes first on the maintainer scripts' {@code PATH} while packages install
   * (apt's {@code DPkg::Path}, which the install and upgrade commands set) and skips that second run when it would change nothing: no hook to run, and no certificate,
   * setting or link changed since the last run; else it runs the real one. Its record of that
   * state is the second file.
   */
  static final PackageManager.TemporaryFile UPDATE_CA_CERTIFICATES_ONCE = new PackageManager.TemporaryFile(
      ImagePath.of("/usr/local/sbin/update-ca-certificates"), Resources.text("update-ca-certificates-once.sh"), 0755);
  static final PackageManager.TemporaryFile UPDATE_CA_CERTIFICATES_STATE = new PackageManager.TemporaryFile(
      ImagePath.of("/usr/local/sbin/.update-ca-certificates.state"), "", 0600);

  @Override
  List<PackageManager.TemporaryFile> installShims() {
    return List.of(UPDATE_CA_CERTIFICATES_ONCE, UPDATE_CA_CERTIFICATES_STATE);
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

  /**
   * The JRE's trust store as ca-certificates-java writes it: a JKS sealed with the password every
   * Debian and Ubuntu JRE uses, {@code changeit}, each entry dated when the install added it.
   */
  static final DatedFile JAVA_TRUST_STORE = new JksDates(ImagePath.of("/etc/ssl/certs/java/cacerts"), "changeit");

  @Override
  public List<DatedFile> datedFiles(DistroInfo info) {
    return List.of(JAVA_TRUST_STORE);
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
