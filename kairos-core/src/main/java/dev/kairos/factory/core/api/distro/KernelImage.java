package dev.kairos.factory.core.api.distro;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The kernel an image boots, found as kairos-init finds it: {@code /boot/vmlinuz} when the image
 * has one (the init phase links it), else the kernel that the family's chooser picks from
 * {@code /lib/modules} ({@link DistroStrategy#chooseKernel}), taken from where its package puts
 * it ({@link #candidates}). For the artifact builders, which need a kernel but not the distro
 * knowledge to choose one.
 *
 * <pre>{@code
 * KernelImage k = KernelImage.find(root);   // e.g. /boot/vmlinuz-6.1.0-28-amd64 on a Debian root
 * System.err.println(k.description());      // "kernel 6.1.0-28-amd64 (/boot/vmlinuz-6.1.0-28-amd64), ..."
 * Path file = root.hostPath(k.path(), true);
 * }</pre>
 *
 * @param path the kernel file in the image, symlinks resolved
 * @param version the version chosen from {@code /lib/modules}; empty when {@code /boot/vmlinuz} was taken
 * @param description which kernel was taken and why, for the user
 */
public record KernelImage(ImagePath path, Optional<String> version, String description) {
  /** The link the init phase makes to the kernel to boot. */
  public static final ImagePath VMLINUZ = ImagePath.of("/boot/vmlinuz");

  /** Checks that no component is null. */
  public KernelImage {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(description, "description");
  }

  /** {@link #find(RootFs, List, Model)} with the installed strategies, for a generic model. */
  public static KernelImage find(RootFs root) throws IOException {
    return find(root, Distros.installed(), Model.GENERIC);
  }

  /**
   * The kernel of {@code root}: {@code /boot/vmlinuz} if it is there, else the one the family's
   * chooser picks for {@code model}.
   *
   * @throws KairosException when there is no {@code /boot/vmlinuz} and no kernel can be chosen
   *     (no os-release, an unknown distro, an empty {@code /lib/modules}, or no image for the
   *     chosen version), saying what was looked for
   */
  public static KernelImage find(RootFs root, List<DistroStrategy> strategies, Model model) throws IOException {
    if (root.isRegularFile(VMLINUZ)) {
      ImagePath real = root.realPath(VMLINUZ, true);
      return new KernelImage(real, Optional.empty(), "kernel " + VMLINUZ + (real.equals(VMLINUZ) ? "" : " (" + real + ")"));
    }
    DistroInfo info;
    String k;
    try {
      info = Distros.detect(root, strategies);
      k = Distros.strategy(info.family(), strategies).chooseKernel(root, model);
    } catch (KairosException e) {
      throw new KairosException("no kernel: " + VMLINUZ + " does not exist, and none can be chosen from /lib/modules: "
          + e.getMessage(), e);
    }
    List<ImagePath> looked = candidates(k, info.arch());
    for (ImagePath c : looked) {
      if (root.isRegularFile(c)) {
        return new KernelImage(root.realPath(c, true), Optional.of(k), "kernel " + k + " (" + c + "), chosen from /lib/modules as"
            + " kairos-init does, since " + VMLINUZ + " does not exist");
      }
    }
    throw new KairosException("no kernel: " + VMLINUZ + " does not exist, and kernel " + k
        + " (chosen from /lib/modules) has no image: looked for " + looked);
  }

  /**
   * Where the package of kernel {@code k} puts its image, in the order of kairos-init's link rules
   * (§9.2): {@code /boot/Image} (Jetson), {@code /boot/vmlinuz-K}, {@code /usr/lib/modules/K/vmlinuz}
   * (Fedora and RHEL without GRUB), {@code /boot/vmlinux-K} (riscv64 only: elsewhere it is the
   * debug kernel), {@code /boot/Image-K} (SUSE arm64), {@code /boot/vmlinuz-lts} and
   * {@code /boot/vmlinuz-rpi} (Alpine).
   */
  public static List<ImagePath> candidates(String k, Architecture arch) {
    if (k.isBlank() || k.contains("/")) {
      throw new IllegalArgumentException("bad kernel version: '" + k + "'");
    }
    List<ImagePath> out = new ArrayList<>(List.of(ImagePath.of("/boot/Image"), ImagePath.of("/boot/vmlinuz-" + k),
        ImagePath.of("/usr/lib/modules/" + k + "/vmlinuz")));
    if (arch == Architecture.RISCV64) {
      out.add(ImagePath.of("/boot/vmlinux-" + k));
    }
    out.addAll(List.of(ImagePath.of("/boot/Image-" + k), ImagePath.of("/boot/vmlinuz-lts"), ImagePath.of("/boot/vmlinuz-rpi")));
    return List.copyOf(out);
  }
}
