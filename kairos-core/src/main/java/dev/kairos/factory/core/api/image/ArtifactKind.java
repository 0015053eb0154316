package dev.kairos.factory.core.api.image;

/** The kinds of artifact the library makes from a built image. */
public enum ArtifactKind {
  /** An image pushed to a registry. */
  OCI_IMAGE,
  /** An OCI image layout directory. */
  OCI_LAYOUT,
  /** An OCI image layout in a tar archive. */
  OCI_ARCHIVE,
  /** The live/installer ISO. */
  ISO,
  /** A unified kernel image (a PE file). */
  UKI,
  /** An ISO that boots a unified kernel image. */
  UKI_ISO,
  /** A raw disk image. */
  RAW_DISK,
  /** An Azure fixed VHD: the raw disk and a VHD footer. */
  VHD,
  /** A GCE image: the raw disk as {@code disk.raw} in a gzip tar. */
  GCE_IMAGE,
  /** The kernel, initrd, root squashfs and iPXE script of a network boot. */
  NETBOOT,
  /** An initramfs. */
  INITRD,
  /** A set of Secure Boot keys (PK, KEK, db). */
  SECURE_BOOT_KEYS
}
