package dev.kairos.factory.core.api.distro;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The packages resolved for one {@link PackageSelection}, by role. Each list is in table order
 * without duplicates. The {@code installPackages} step installs {@link #base()}, the
 * {@code installKernel} step installs {@link #kernel()}.
 *
 * @param common packages every distro gets ({@code tar}, {@code zstd}, {@code rsync}, ...)
 * @param distro the distro's and family's base packages, with the model's additions
 * @param grub the GRUB bootloader packages (empty in trusted boot)
 * @param immucore the dracut toolchain immucore needs (empty in trusted boot)
 * @param systemdBoot the systemd-boot packages (trusted boot only)
 * @param kernel the kernel packages, installed in a separate step
 */
public record PackageSet(List<String> common, List<String> distro, List<String> grub, List<String> immucore,
    List<String> systemdBoot, List<String> kernel) {
  /** Copies the lists, so the set does not change when the caller's lists do. */
  public PackageSet {
    common = List.copyOf(common);
    distro = List.copyOf(distro);
    grub = List.copyOf(grub);
    immucore = List.copyOf(immucore);
    systemdBoot = List.copyOf(systemdBoot);
    kernel = List.copyOf(kernel);
  }

  /** Common + distro + grub + immucore + systemd-boot, without duplicates: what {@code installPackages} installs. */
  public List<String> base() {
    return union(common, distro, grub, immucore, systemdBoot);
  }

  /** Every package of every role, without duplicates, base first then kernel. */
  public List<String> all() {
    return union(base(), kernel);
  }

  /** Whether nothing at all is to be installed (Hadron). */
  public boolean isEmpty() {
    return all().isEmpty();
  }

  @SafeVarargs
  private static List<String> union(List<String>... lists) {
    LinkedHashSet<String> s = new LinkedHashSet<>();
    for (List<String> l : lists) {
      s.addAll(Objects.requireNonNull(l));
    }
    return List.copyOf(new ArrayList<>(s));
  }
}
