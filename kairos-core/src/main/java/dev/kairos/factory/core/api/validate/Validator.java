package dev.kairos.factory.core.api.validate;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.release.KairosRelease;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks that an image is Kairos-ready, as {@code kairos-init validate} does, and reports every
 * failure at once: binaries on the PATH and executable, kernel and initrd in {@code /boot}, every
 * {@code /etc/kairos-release} key, {@code /var/lock}, the initrd's content (read in-process, as
 * the kernel reads it: cpio archives one after another, an early-microcode archive first, then a
 * gzip, xz, zstd, lzma or bzip2 compressed one), no SSH host keys, the services
 * systemd needs, a kernel in {@code /lib/modules}. Unlike kairos-init it also checks a standard
 * image's provider binaries and release keys (read from the release file).
 *
 * <pre>{@code
 * ValidationReport r = Validator.builder().build().validate(root);
 * r.failures().forEach(System.out::println);   // [FILES] file missing /boot/initrd, ...
 * r.requireValid();
 * }</pre>
 */
public final class Validator {
  private static final List<String> PATH = List.of("/system/providers", "/system/discovery", "/usr/local/sbin",
      "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");
  private static final List<String> UNIT_DIRS = List.of("/usr/lib/systemd/system", "/lib/systemd/system",
      "/etc/systemd/system", "/run/systemd/system");

  private final boolean trustedBoot;
  private final Optional<List<DistroStrategy>> strategies;

  private Validator(Builder b) {
    this.trustedBoot = b.trustedBoot;
    this.strategies = Optional.ofNullable(b.strategies);
  }

  /** A builder with the defaults: not trusted boot, the distro strategies on the class path. */
  public static Builder builder() {
    return new Builder();
  }

  /** Runs every check on {@code root}. */
  public ValidationReport validate(RootFs root) throws IOException {
    List<String> fail = new ArrayList<>();
    List<String> warn = new ArrayList<>();
    Map<String, String> release = Map.of();
    try {
      release = KairosRelease.read(root);
    } catch (KairosException e) {
      fail.add("[RELEASE] " + KairosRelease.PATH + " cannot be read: " + e.getMessage());
    }
    Optional<DistroInfo> distro = Optional.empty();
    Optional<DistroStrategy> strategy = Optional.empty();
    try {
      List<DistroStrategy> s = strategies.orElseGet(Distros::installed);
      distro = Optional.of(Distros.detect(root, s));
      strategy = Optional.of(Distros.strategy(distro.get().family(), s));
    } catch (KairosException e) {
      warn.add("[DISTRO] cannot tell the distro, family checks skipped: " + e.getMessage());
    }
    Family family = distro.map(DistroInfo::family).orElse(null);
    boolean standard = "standard".equals(release.get(KairosRelease.VARIANT));

    binaries(root, family, standard, release, fail);
    files(root, fail);
    releaseKeys(root, release, standard, fail);
    if (!root.exists(ImagePath.of("/var/lock"))) {
      fail.add("[DIRS] directory missing /var/lock");
    }
    initrd(root, fail, warn);
    sshKeys(root, fail);
    services(root, family, fail);
    if (strategy.isPresent()) {
      try {
        strategy.get().chooseKernel(root, Model.GENERIC);
      } catch (KairosException e) {
        fail.add("[KERNEL] no kernel found: " + e.getMessage());
      }
    }
    return new ValidationReport(fail, warn);
  }

  private void binaries(RootFs root, Family family, boolean standard, Map<String, String> release, List<String> fail)
      throws IOException {
    List<String> need = new ArrayList<>(List.of("immucore", "kairos-agent", "sudo", "less", "kcrypt-discovery-challenger"));
    if (family != Family.HADRON) {
      need.add("mount.nfs");
    }
    if (standard) {
      need.addAll(List.of("agent-provider-kairos", "kairos", "edgevpn"));
      String software = release.getOrDefault(KairosRelease.SOFTWARE_VERSION_PREFIX, "");
      if (software.equals("k3s") || software.equals("k0s")) {
        need.add(software);
      }
    }
    for (String name : need) {
      Optional<ImagePath> found = onPath(root, name);
      if (found.isEmpty()) {
        fail.add("[BINARIES] could not find binary " + name);
      } else if ((root.metadata(root.realPath(found.get(), true)).mode() & 0111) == 0) {
        fail.add("[BINARIES] binary " + name + " is not executable");
      }
    }
  }

  private static Optional<ImagePath> onPath(RootFs root, String name) throws IOException {
    for (String dir : PATH) {
      ImagePath p = ImagePath.of(dir).resolve(name);
      if (root.isRegularFile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private void files(RootFs root, List<String> fail) throws IOException {
    ImagePath vmlinuz = ImagePath.of("/boot/vmlinuz");
    Optional<FileMetadata> k = root.stat(vmlinuz);
    if (k.isEmpty()) {
      fail.add("[FILES] file missing " + vmlinuz);
    } else if (k.get().type() == FileType.SYMLINK) {
      String target = root.readSymlink(vmlinuz);
      ImagePath resolved = target.startsWith("/") ? ImagePath.of(target) : ImagePath.of("/boot/" + target);
      if (!root.isRegularFile(resolved)) {
        fail.add("[FILES] symlink " + vmlinuz + " points to a non-existent file " + target);
      }
    }
    if (!trustedBoot && !root.exists(ImagePath.of("/boot/initrd"))) {
      fail.add("[FILES] file missing /boot/initrd");
    }
  }

  private static void releaseKeys(RootFs root, Map<String, String> release, boolean standard, List<String> fail)
      throws IOException {
    if (!root.isRegularFile(KairosRelease.PATH)) {
      fail.add("[RELEASE] file missing " + KairosRelease.PATH);
      return;
    }
    List<String> keys = new ArrayList<>(KairosRelease.REQUIRED_KEYS);
    if (standard) {
      keys.addAll(List.of(KairosRelease.SOFTWARE_VERSION, KairosRelease.SOFTWARE_VERSION_PREFIX));
    }
    for (String key : keys) {
      if (release.getOrDefault(key, "").isEmpty()) {
        fail.add("[RELEASE] key " + key + " not found or empty in kairos-release");
      }
    }
  }

  private void initrd(RootFs root, List<String> fail, List<String> warn) throws IOException {
    ImagePath initrd = ImagePath.of("/boot/initrd");
    if (trustedBoot || !root.exists(initrd)) {
      return;
    }
    // Read in-process, as the kernel would: no lsinitrd in the image, no runner, no host tools.
    InitrdListing.Listing listing;
    try (InputStream in = root.newInputStream(root.realPath(initrd, true))) {
      listing = InitrdListing.read(in, initrd.toString());
    } catch (KairosException e) {
      fail.add("[INITRD] " + initrd + " cannot be read: " + e.getMessage());
      return;
    } catch (IOException e) {
      fail.add("[INITRD] " + initrd + " is damaged (" + e + ")");
      return;
    }
    for (String needed : List.of("immucore", "kairos-agent")) {
      if (!listing.mentions(needed)) {
        fail.add("[INITRD] " + needed + " is not in " + initrd);
      }
    }
    if (!listing.mentions("xhci_pci_renesas") && !listing.mentions("xhci-pci-renesas")) {
      warn.add("[INITRD] xhci_pci_renesas is not in " + initrd + " (BMC virtual media may not work)");
    }
  }

  private static void sshKeys(RootFs root, List<String> fail) throws IOException {
    ImagePath ssh = ImagePath.of("/etc/ssh");
    if (!root.isDirectory(ssh)) {
      return;
    }
    for (String name : root.list(ssh)) {
      if (name.startsWith("ssh_host_") && name.endsWith("_key")) {
        fail.add("[SSH] host key " + ssh.resolve(name) + " must not be in the image");
      }
    }
  }

  private static void services(RootFs root, Family family, List<String> fail) throws IOException {
    if (family == Family.REDHAT) {
      for (String unit : List.of("systemd-udevd.service", "systemd-logind.service")) {
        unitPresent(root, unit, "on RHEL family system", fail);
      }
    }
    if (family != null && family != Family.ALPINE) {
      unitPresent(root, "getty.target", "on systemd-based system", fail);
    }
  }

  private static void unitPresent(RootFs root, String unit, String where, List<String> fail) throws IOException {
    for (String dir : UNIT_DIRS) {
      ImagePath p = ImagePath.of(dir).resolve(unit);
      Optional<FileMetadata> m = root.stat(p);
      if (m.isPresent()) {
        if (m.get().type() == FileType.SYMLINK && root.readSymlink(p).equals("/dev/null")) {
          fail.add("[SERVICES] " + unit + " is masked " + where);
        }
        return;
      }
    }
    fail.add("[SERVICES] " + unit + " does not exist " + where);
  }

  /** Builds a {@link Validator}. */
  public static final class Builder {
    private boolean trustedBoot;
    private List<DistroStrategy> strategies;

    private Builder() {}

    /** A trusted-boot image has no initrd of its own; those checks are left out. */
    public Builder trustedBoot(boolean on) {
      this.trustedBoot = on;
      return this;
    }

    /** The distro strategies; default those found by {@link Distros#installed()}. */
    public Builder distros(List<DistroStrategy> strategies) {
      this.strategies = List.copyOf(strategies);
      return this;
    }

    /** The validator, with this builder's values copied. */
    public Validator build() {
      return new Validator(this);
    }
  }
}
