package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.InitSystem;
import dev.kairos.factory.core.api.distro.InitrdTool;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.distro.OsRelease;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.PackageSelection;
import dev.kairos.factory.core.api.distro.PackageSet;
import dev.kairos.factory.core.api.distro.ServiceAction;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What all families share: detection details, table-driven packages, the kernel chooser, the
 * initrd commands and the services every systemd image gets. Subclasses add their package
 * manager, repositories, services and quirks.
 */
abstract class FamilyStrategy implements DistroStrategy {
  static final ImagePath NETWORK_MANAGER = ImagePath.of("/usr/sbin/NetworkManager");
  static final ImagePath NETWORKD = ImagePath.of("/usr/lib/systemd/systemd-networkd");
  static final ImagePath RESOLVED = ImagePath.of("/usr/lib/systemd/systemd-resolved");
  private static final List<String> BIN_DIRS = List.of("/sbin", "/bin", "/usr/sbin", "/usr/bin");

  private final Family family;
  private final List<String> distroIds;
  private final Map<String, String> idLikeMarkers;

  FamilyStrategy(Family family, List<String> distroIds, Map<String, String> idLikeMarkers) {
    this.family = family;
    this.distroIds = List.copyOf(distroIds);
    this.idLikeMarkers = Map.copyOf(idLikeMarkers);
  }

  @Override
  public final Family family() {
    return family;
  }

  @Override
  public final List<String> distroIds() {
    return distroIds;
  }

  @Override
  public final Map<String, String> idLikeMarkers() {
    return idLikeMarkers;
  }

  /** The init system when the image has neither or both of {@code systemctl} and {@code openrc}. */
  InitSystem defaultInitSystem() {
    return InitSystem.SYSTEMD;
  }

  /** The release as recorded; Alpine cuts {@code 3.21.3} to {@code 3.21}. */
  String normaliseVersion(String versionId) {
    return versionId;
  }

  @Override
  public DistroInfo describe(RootFs root, OsRelease osRelease, String distroId) throws IOException {
    Optional<Architecture> arch = Architecture.of(root);
    return DistroInfo.builder()
        .distro(distroId)
        .version(normaliseVersion(osRelease.versionId()))
        .family(family)
        .arch(arch.isPresent() ? arch.get() : Architecture.host())
        .initSystem(initSystem(root))
        .osRelease(osRelease)
        .build();
  }

  /** As yip decides {@code only_service_manager}: by which of systemctl and openrc is installed. */
  private InitSystem initSystem(RootFs root) throws IOException {
    boolean systemd = hasBinary(root, "systemctl");
    boolean openrc = hasBinary(root, "openrc");
    if (systemd != openrc) {
      return systemd ? InitSystem.SYSTEMD : InitSystem.OPENRC;
    }
    return defaultInitSystem();
  }

  static boolean hasBinary(RootFs root, String name) throws IOException {
    for (String dir : BIN_DIRS) {
      if (root.isRegularFile(ImagePath.of(dir, name))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public PackageSet packages(PackageSelection selection) throws UnsupportedTargetException {
    if (selection.family() != family) {
      throw new IllegalArgumentException("the " + family + " strategy was given a " + selection.family() + " selection: " + selection);
    }
    return PackageTables.get().resolve(selection);
  }

  @Override
  public String chooseKernel(RootFs root, Model model) throws IOException {
    return KernelChooser.choose(root, model);
  }

  @Override
  public InitrdTool initrdTool() {
    return InitrdTool.DRACUT;
  }

  /** dracut's compressor: zstd at level 10 on every core (see {@link #initrdCommands}). */
  static final String DRACUT_ZSTD = "zstd -10 -q -T0";

  @Override
  public List<Command> initrdCommands(DistroInfo info, String kernel, ImagePath output) {
    if (kernel.isBlank() || kernel.contains("/")) {
      throw new IllegalArgumentException("bad kernel version: '" + kernel + "'");
    }
    // --reproducible (dracut 045 and later): cpio inode numbers counted instead of taken from the
    // disk, and the files dracut made in its staging tree get one fixed time.
    // --nohardlink: hardlink(1) links identical files only when their mtimes share a second, so two
    // files a module writes milliseconds apart were linked in one build and not in the next.
    // --compress "zstd -10 -q -T0": kairos-init's dracut configuration asks for xz, which took 97 s
    // of CPU (454 s of wall on a loaded 2-core machine) for a 217 MB initrd; zstd on every core
    // takes a fraction of it, decompresses faster at boot, and writes the same frame for any number
    // of threads. Level 10, not the 15 of dracut's --zstd: on the arm64 main job's 199 MB cpio,
    // 6.7 s of CPU against 35.6 s for 0.7 % more bytes. dracut treats a command starting with zstd
    // as --zstd: its default where the kernel lacks zstd support or the image has no zstd.
    // DRACUT_NO_MKNOD: dracut makes no device nodes in the initrd's /dev (console, kmsg, null,
    // random, urandom), as root or not. In a user namespace (a normal user's build) its mknod
    // fails, so a root build's initrd differed from a rootless one by those five nodes; now both
    // are the same bytes. None is needed: the kernel's built-in initramfs brings /dev/console, and
    // the initrd's systemd mounts devtmpfs on /dev before it opens anything else there (as
    // with dracut run by a normal user, or mkinitcpio, which make no nodes either).
    Command build = initrdTool() == InitrdTool.DRACUT
        ? Command.builder("dracut", "--reproducible", "--nohardlink", "--compress", DRACUT_ZSTD, "-f", output.toString(),
            kernel)
            .env("DRACUT_NO_MKNOD", "1").build()
        : Command.of("mkinitfs", "-o", output.toString(), kernel);
    return List.of(Command.of("depmod", "-a", kernel), build);
  }

  /** The services every systemd image gets, then the family's. */
  @Override
  public final List<ServiceAction> services(DistroInfo info, RootFs root) throws IOException {
    List<ServiceAction> out = new ArrayList<>();
    if (info.initSystem() == InitSystem.SYSTEMD) {
      out.add(ServiceAction.mask("systemd-firstboot.service"));
    }
    familyServices(info, root, out);
    return List.copyOf(out);
  }

  abstract void familyServices(DistroInfo info, RootFs root, List<ServiceAction> out) throws IOException;

  /** The package manager named {@code name}, with this family's repositories, blockers and shims. */
  PackageManager manager(String name, DistroInfo info) {
    return new TablePackageManager(PackageManagerSpec.named(name), model -> repositories(info, model),
        serviceStartBlockers(), installShims());
  }

  /** The commands that add repositories before the base install; none by default. */
  List<Command> repositories(DistroInfo info, Model model) {
    return List.of();
  }

  /** Files that stop package scripts from starting services; none by default (they see the chroot). */
  List<PackageManager.TemporaryFile> serviceStartBlockers() {
    return List.of();
  }

  /** Files that spare the install work whose result the image has anyway; none by default. */
  List<PackageManager.TemporaryFile> installShims() {
    return List.of();
  }

  /** Whether yip's {@code only_os} regex matches the image's PRETTY_NAME (unanchored, as Go's MatchString). */
  static boolean prettyNameMatches(DistroInfo info, String regex) {
    String p = info.prettyName();
    return !p.isEmpty() && Pattern.compile(regex).matcher(p).find();
  }

  /** The version of the image, or empty if VERSION_ID is not one. */
  static Optional<LenientVersion> version(DistroInfo info) {
    return LenientVersion.parse(info.version());
  }

  /** Whether the image's version is {@code >= v} (false if it has none). */
  static boolean atLeast(DistroInfo info, String v) {
    return version(info).map(x -> x.compareTo(LenientVersion.parse(v).orElseThrow()) >= 0).orElse(false);
  }

  /** The first dot-separated part of the version, e.g. {@code 9} for {@code 9.4}. */
  static String major(DistroInfo info) {
    return info.version().split("\\.", 2)[0];
  }

  static void enable(List<ServiceAction> out, String... units) {
    for (String u : units) {
      out.add(ServiceAction.enable(u));
    }
  }

  static void disable(List<ServiceAction> out, String... units) {
    for (String u : units) {
      out.add(ServiceAction.disable(u));
    }
  }

  static void unmask(List<ServiceAction> out, String... units) {
    for (String u : units) {
      out.add(ServiceAction.unmask(u));
    }
  }

  @Override
  public String toString() {
    return family + " " + distroIds;
  }
}
