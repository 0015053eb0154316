package dev.kairos.factory.boot.internal.iso;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A distribution's signed shim and GRUB for x86_64, found in a rootfs where the distributions
 * install them, in AuroraBoot's search order; for live media the CD GRUB ({@code gcdx64}) comes
 * first, as it has iso9660 built in. {@code shimName} and {@code grubName} are the names they get in
 * {@code EFI/BOOT}: shim loads GRUB by name from its own directory, so the signing suffixes go
 * and {@code gcdx64.efi} becomes {@code grubx64.efi}; SUSE's shim loads {@code grub.efi}.
 */
public record SignedEfiLoader(ImagePath shim, ImagePath grub, String shimName, String grubName) {
  /** Where the signed files live on Debian, Ubuntu, Fedora, RHEL and its rebuilds, and openSUSE. */
  static final List<String> SHIM_PATHS = List.of(
      "/usr/share/efi/x86_64/shim.efi",
      "/usr/lib/shim/shimx64.efi.dualsigned",
      "/usr/lib/shim/shimx64.efi.signed.latest",
      "/usr/lib/shim/shimx64.efi.signed",
      "/boot/efi/EFI/fedora/shimx64.efi",
      "/boot/efi/EFI/rocky/shimx64.efi",
      "/boot/efi/EFI/redhat/shimx64.efi",
      "/boot/efi/EFI/almalinux/shimx64.efi");
  static final List<String> GRUB_PATHS = List.of(
      "/usr/share/efi/x86_64/grub.efi",
      "/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed",
      "/boot/efi/EFI/fedora/grubx64.efi",
      "/boot/efi/EFI/rocky/grubx64.efi",
      "/boot/efi/EFI/redhat/grubx64.efi",
      "/boot/efi/EFI/almalinux/grubx64.efi");

  /** The boot medium, which decides whether the CD GRUB is looked for, first. */
  public enum Media {
    LIVE(Stream.concat(Stream.of("/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed"), GRUB_PATHS.stream()).toList()),
    DISK(GRUB_PATHS);

    private final List<String> grubPaths;

    Media(List<String> grubPaths) {
      this.grubPaths = grubPaths;
    }
  }

  /**
   * The directories under {@code EFI/} where a distribution's signed GRUB looks for its
   * {@code grub.cfg} (its built-in prefix); the boot files put the GRUB config in each.
   */
  public static final List<String> VENDOR_DIRECTORIES =
      List.of("debian", "ubuntu", "fedora", "centos", "redhat", "rocky", "almalinux", "opensuse");

  /** The signed pair in {@code root} for {@code media}, or empty if it lacks either. */
  public static Optional<SignedEfiLoader> find(RootFs root, Media media) throws IOException {
    Optional<ImagePath> shim = first(root, SHIM_PATHS);
    Optional<ImagePath> grub = first(root, media.grubPaths);
    if (shim.isEmpty() || grub.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new SignedEfiLoader(shim.get(), grub.get(), efiName(shim.get()), efiName(grub.get())));
  }

  /** The error text when the pair is required and missing: what was searched. */
  public static String searched(Media media) {
    return "no signed shim and GRUB in the image (searched " + String.join(", ", SHIM_PATHS) + " and "
        + String.join(", ", media.grubPaths)
        + "; Debian and Ubuntu: packages shim-signed and grub-efi-amd64-signed)";
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
    return name.equals("gcdx64.efi") ? "grubx64.efi" : name;
  }
}
