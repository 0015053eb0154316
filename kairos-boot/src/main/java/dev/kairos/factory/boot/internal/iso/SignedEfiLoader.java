package dev.kairos.factory.boot.internal.iso;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A distribution's signed shim and GRUB for the image's EFI architecture (x86_64 or arm64), found
 * in a rootfs where the distributions install them, in AuroraBoot's search order; for live media
 * the CD GRUB ({@code gcdx64}, {@code gcdaa64}) comes first, as it has iso9660 built in.
 * {@code shimName} and {@code grubName} are the names they get in {@code EFI/BOOT}: shim loads GRUB
 * by name from its own directory, so the signing suffixes go and {@code gcdx64.efi} becomes
 * {@code grubx64.efi}; SUSE's shim loads {@code grub.efi}.
 */
public record SignedEfiLoader(ImagePath shim, ImagePath grub, String shimName, String grubName) {
  /** Where the signed shim lives on Debian, Ubuntu, Fedora, RHEL and its rebuilds, and openSUSE. */
  static List<String> shimPaths(EfiArch arch) {
    String x = arch.suffix();
    return List.of(
        "/usr/share/efi/" + arch.architecture().unameName() + "/shim.efi",
        "/usr/lib/shim/shim" + x + ".efi.dualsigned",
        "/usr/lib/shim/shim" + x + ".efi.signed.latest",
        "/usr/lib/shim/shim" + x + ".efi.signed",
        "/boot/efi/EFI/fedora/shim" + x + ".efi",
        "/boot/efi/EFI/rocky/shim" + x + ".efi",
        "/boot/efi/EFI/redhat/shim" + x + ".efi",
        "/boot/efi/EFI/almalinux/shim" + x + ".efi");
  }

  /** Where the signed GRUB lives, in the same distributions. */
  static List<String> grubPaths(EfiArch arch) {
    String x = arch.suffix();
    return List.of(
        "/usr/share/efi/" + arch.architecture().unameName() + "/grub.efi",
        "/usr/lib/grub/" + arch.grubPlatform() + "-signed/grub" + x + ".efi.signed",
        "/boot/efi/EFI/fedora/grub" + x + ".efi",
        "/boot/efi/EFI/rocky/grub" + x + ".efi",
        "/boot/efi/EFI/redhat/grub" + x + ".efi",
        "/boot/efi/EFI/almalinux/grub" + x + ".efi");
  }

  /** The boot medium, which decides whether the CD GRUB is looked for, first. */
  public enum Media {
    LIVE,
    DISK;

    List<String> grubPaths(EfiArch arch) {
      return this == LIVE
          ? Stream.concat(Stream.of("/usr/lib/grub/" + arch.grubPlatform() + "-signed/gcd" + arch.suffix() + ".efi.signed"),
              SignedEfiLoader.grubPaths(arch).stream()).toList()
          : SignedEfiLoader.grubPaths(arch);
    }
  }

  /**
   * The directories under {@code EFI/} where a distribution's signed GRUB looks for its
   * {@code grub.cfg} (its built-in prefix); the boot files put the GRUB config in each.
   */
  public static final List<String> VENDOR_DIRECTORIES =
      List.of("debian", "ubuntu", "fedora", "centos", "redhat", "rocky", "almalinux", "opensuse");

  /** The signed pair in {@code root} for {@code media} and the image's architecture, or empty if it lacks either. */
  public static Optional<SignedEfiLoader> find(RootFs root, Media media) throws IOException {
    EfiArch arch = EfiArch.of(root);
    Optional<ImagePath> shim = first(root, shimPaths(arch));
    Optional<ImagePath> grub = first(root, media.grubPaths(arch));
    if (shim.isEmpty() || grub.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new SignedEfiLoader(shim.get(), grub.get(), efiName(shim.get()), efiName(grub.get())));
  }

  /** The error text when the pair is required and missing: what was searched. */
  public static String searched(Media media, EfiArch arch) {
    return "no signed shim and GRUB in the image (searched " + String.join(", ", shimPaths(arch)) + " and "
        + String.join(", ", media.grubPaths(arch))
        + "; Debian and Ubuntu: packages " + arch.signedPackages() + ")";
  }

  private static Optional<ImagePath> first(RootFs root, List<String> paths) throws IOException {
    for (String p : paths) {
      ImagePath path = ImagePath.of(p);
      if (root.isRegularFile(path)) {
        return Optional.of(path);
      }
    }
    return Optional.empty();
  }

  static String efiName(ImagePath path) {
    String name = path.fileName();
    for (String suffix : List.of(".signed.latest", ".dualsigned", ".signed")) {
      if (name.endsWith(suffix)) {
        name = name.substring(0, name.length() - suffix.length());
        break;
      }
    }
    return name.startsWith("gcd") ? "grub" + name.substring("gcd".length()) : name;
  }
}
