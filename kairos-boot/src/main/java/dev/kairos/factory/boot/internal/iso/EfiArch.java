package dev.kairos.factory.boot.internal.iso;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The EFI names of an image's architecture: GRUB's platform ({@code x86_64-efi}, {@code arm64-efi}),
 * the suffix of the removable-media loader and of shim and GRUB ({@code x64}, {@code aa64}), the
 * directory SUSE keeps its signed loaders in ({@code /usr/share/efi/x86_64}), the GRUB modules
 * only that platform has, and the Debian packages that bring GRUB's modules and the signed pair.
 */
public enum EfiArch {
  X64(Architecture.AMD64, "x86_64-efi", "x64", 0x8664, List.of("efi_gop", "efi_uga"), "grub-efi-amd64-bin",
      "shim-signed and grub-efi-amd64-signed"),
  // efi_uga is x86 only
  AA64(Architecture.ARM64, "arm64-efi", "aa64", 0xAA64, List.of("efi_gop"), "grub-efi-arm64-bin",
      "shim-signed and grub-efi-arm64-signed");

  private final Architecture architecture;
  private final String grubPlatform;
  private final String suffix;
  private final int peMachine;
  private final List<String> platformModules;
  private final String grubPackage;
  private final String signedPackages;

  EfiArch(Architecture architecture, String grubPlatform, String suffix, int peMachine, List<String> platformModules,
      String grubPackage, String signedPackages) {
    this.architecture = architecture;
    this.grubPlatform = grubPlatform;
    this.suffix = suffix;
    this.peMachine = peMachine;
    this.platformModules = platformModules;
    this.grubPackage = grubPackage;
    this.signedPackages = signedPackages;
  }

  /**
   * The EFI architecture of the image at {@code root}, from its binaries; a root without any
   * (a test tree) is taken as amd64, as the boot media always were.
   *
   * @throws UnsupportedTargetException if the image is of an architecture we make no EFI media for
   */
  public static EfiArch of(RootFs root) throws IOException {
    return of(Architecture.of(root).orElse(Architecture.AMD64));
  }

  /**
   * The EFI architecture of {@code arch}.
   *
   * @throws UnsupportedTargetException if we make no EFI media for it
   */
  public static EfiArch of(Architecture arch) throws UnsupportedTargetException {
    for (EfiArch a : values()) {
      if (a.architecture == arch) {
        return a;
      }
    }
    throw new UnsupportedTargetException("EFI boot media architecture", arch.id(),
        List.of(X64.architecture.id(), AA64.architecture.id()));
  }

  /** The image architecture. */
  public Architecture architecture() {
    return architecture;
  }

  /** GRUB's platform name ({@code grub-mkimage -O}, the module directory under {@code /usr/lib/grub}). */
  public String grubPlatform() {
    return grubPlatform;
  }

  /** The loader's suffix in EFI file names: {@code x64}, {@code aa64}. */
  public String suffix() {
    return suffix;
  }

  /** The PE/COFF machine type of this platform's EFI binaries: {@code 0x8664}, {@code 0xAA64}. */
  public int peMachine() {
    return peMachine;
  }

  /**
   * The architecture whose EFI binaries carry PE machine type {@code machine}, if we make media for it.
   */
  public static java.util.Optional<EfiArch> ofPeMachine(int machine) {
    for (EfiArch a : values()) {
      if (a.peMachine == machine) {
        return java.util.Optional.of(a);
      }
    }
    return java.util.Optional.empty();
  }

  /** systemd's EFI stub for UKIs of this platform, as systemd-boot-efi installs it: {@code linuxaa64.efi.stub}. */
  public String systemdStub() {
    return "linux" + suffix + ".efi.stub";
  }

  /** The path firmware boots from removable media and disks without boot entries: {@code /EFI/BOOT/BOOTX64.EFI}. */
  public String removableLoader() {
    return "/EFI/BOOT/BOOT" + suffix.toUpperCase(Locale.ROOT) + ".EFI";
  }

  /** GRUB modules this platform has beyond the common ones (video output). */
  public List<String> platformModules() {
    return platformModules;
  }

  /** The Debian package with GRUB's modules for this platform. */
  public String grubPackage() {
    return grubPackage;
  }

  /** The Debian packages with the signed shim and GRUB. */
  public String signedPackages() {
    return signedPackages;
  }
}
