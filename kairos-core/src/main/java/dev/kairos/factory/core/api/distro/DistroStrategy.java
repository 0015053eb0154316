package dev.kairos.factory.core.api.distro;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the build needs to know about one {@link Family}: which os-release ids belong to
 * it, the packages to install, the package manager, the kernel to boot, the initrd tool, the
 * services to enable and the family's quirks. One implementation per family lives in
 * {@code kairos-distros} and is found with {@link java.util.ServiceLoader} by {@link Distros}.
 *
 * <p>Nothing here runs a command: methods return data and {@link Command}s; the caller runs them
 * through a {@link dev.kairos.factory.core.api.run.CommandRunner}. Methods that look at the image
 * only read it.
 *
 * <pre>{@code
 * DistroInfo info = Distros.detect(root);
 * DistroStrategy s = Distros.strategy(info.family());
 * PackageSet set = s.packages(PackageSelection.builder(info).build());
 * PackageManager pm = s.packageManager(info);
 * runner.run(root, pm.install(set.base())).requireSuccess();
 * String kernel = s.chooseKernel(root, Model.GENERIC);   // "6.1.0-28-amd64"
 * for (Command c : s.initrdCommands(info, kernel, ImagePath.of("/boot/initrd"))) {
 *   runner.run(root, c).requireSuccess();
 * }
 * }</pre>
 */
public interface DistroStrategy {
  /** The family this strategy handles. */
  Family family();

  /** The os-release {@code ID}s this family recognises exactly, e.g. {@code [debian, ubuntu]}. */
  List<String> distroIds();

  /**
   * {@code ID_LIKE} tokens that are not distro ids but mark this family, with the distro they
   * stand for: {@code redhat → fedora}, {@code suse → opensuse-leap}. Usually empty.
   */
  Map<String, String> idLikeMarkers();

  /**
   * Describes an image already recognised as {@code distroId} (one of {@link #distroIds()} or a
   * marker's value): normalises the version, finds the architecture and the init system.
   */
  DistroInfo describe(RootFs root, OsRelease osRelease, String distroId) throws IOException;

  /**
   * Resolves the package lists (§6) for {@code selection}.
   *
   * @throws UnsupportedTargetException if the model does not exist for this distro or
   *     architecture, or FIPS is asked where it cannot be had; the message lists what works
   */
  PackageSet packages(PackageSelection selection) throws UnsupportedTargetException;

  /**
   * The package manager of {@code info}'s image.
   *
   * @throws UnsupportedTargetException if the family has none (Hadron) or the distro's package
   *     manager is unknown (a derivative detected only through {@code ID_LIKE})
   */
  PackageManager packageManager(DistroInfo info) throws UnsupportedTargetException;

  /**
   * The kernel version to boot, from the entries of {@code /lib/modules} (§9.1): on Raspberry
   * Pi models the highest {@code *-raspi}; otherwise the highest version; if no name parses as a
   * version, the first name in sorted order.
   *
   * @throws dev.kairos.factory.core.api.KairosException if {@code /lib/modules} is missing or empty
   */
  String chooseKernel(RootFs root, Model model) throws IOException;

  /** The program that builds the initramfs of this family's images. */
  InitrdTool initrdTool();

  /**
   * The commands that (re)build the initramfs for {@code kernel} at {@code output}: {@code depmod -a K}
   * then {@code dracut -f <output> K} (or {@code mkinitfs -o <output> K} on Alpine).
   */
  List<Command> initrdCommands(DistroInfo info, String kernel, ImagePath output);

  /**
   * What to enable, disable, mask and unmask at build time (§10), in order. Reads the image to
   * see what is installed (e.g. {@code /usr/sbin/NetworkManager}, {@code /usr/bin/fail2ban-server}).
   */
  List<ServiceAction> services(DistroInfo info, RootFs root) throws IOException;

  /** The family's quirks for this image (GRUB tool names, network stack, dracut network modules). */
  DistroQuirks quirks(DistroInfo info, RootFs root) throws IOException;

  /**
   * Files that hold an identity each installed machine must make for itself (a package script made
   * one at build time, so every machine of the image would share it, and two builds would differ),
   * with the content that makes the family's own tooling generate a fresh one at first boot. The
   * cleanup step writes that content over each file the image has. None by default.
   */
  default List<FirstBootFile> firstBootFiles(DistroInfo info) {
    return List.of();
  }

  /**
   * Files that package scripts write with the time of the install in their content, not only in
   * their mtime (Debian's {@code ca-certificates-java}: the JRE's trust store, each entry dated),
   * so that two builds of the same inputs would differ by them. The cleanup step sets those times
   * to the build's source date in each of these files the image has, whatever installed it (the
   * install phase, a stage extension before it). None by default.
   */
  default List<DatedFile> datedFiles(DistroInfo info) {
    return List.of();
  }

  /** A file whose content holds the time it was written, and how to set that time to another. */
  interface DatedFile {
    /** The file in the image. */
    ImagePath path();

    /**
     * {@code content} with every time in it set to {@code date}, or empty when {@code content} is
     * not in this file's format at all: such a file is the image's business and is left as it is.
     *
     * @param source names the file in errors
     * @throws dev.kairos.factory.core.api.KairosException naming {@code source} when the content is
     *     in the format but cut short, malformed, or not one this can write anew
     */
    Optional<byte[]> redate(byte[] content, Instant date, String source) throws IOException;
  }

  /**
   * A file the cleanup step resets to {@code content} when the image has it.
   *
   * @param path the file in the image
   * @param content what makes the image's own tooling fill it in at first boot
   */
  record FirstBootFile(ImagePath path, String content) {
    /** Checks that both parts are given. */
    public FirstBootFile {
      java.util.Objects.requireNonNull(path, "path");
      java.util.Objects.requireNonNull(content, "content");
    }
  }
}
