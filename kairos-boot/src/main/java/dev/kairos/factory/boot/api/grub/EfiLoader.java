package dev.kairos.factory.boot.api.grub;

/**
 * What the EFI boot files of the live ISO and the raw disk start: the image's signed shim and
 * GRUB, or GRUB made on the build host.
 *
 * <p>A distribution's shim is signed by Microsoft's UEFI CA and its GRUB by the distribution, so
 * with them the medium boots on machines with Secure Boot on and the factory's Microsoft keys (the
 * chain shim → GRUB → kernel checks each signature). GRUB made on the build host is not signed:
 * it boots only with Secure Boot off.
 */
public enum EfiLoader {
  /** The image's signed shim and GRUB when it has both (AuroraBoot's choice), else the host's GRUB. */
  AUTO,
  /** The image's signed shim and GRUB; the build fails naming the paths searched if either is missing. */
  IMAGE_SHIM,
  /** GRUB made with the build host's {@code grub-mkimage}, unsigned. */
  HOST_GRUB
}
