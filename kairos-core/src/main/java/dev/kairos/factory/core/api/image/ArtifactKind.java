package dev.kairos.factory.core.api.image;

/** The kinds of artifact the library makes from a built image. */
public enum ArtifactKind {
  OCI_IMAGE,
  OCI_LAYOUT,
  OCI_ARCHIVE,
  ISO,
  UKI,
  UKI_ISO,
  RAW_DISK,
  /** An Azure fixed VHD: the raw disk and a VHD footer. */
  VHD,
  /** A GCE image: the raw disk as {@code disk.raw} in a gzip tar. */
  GCE_IMAGE,
  NETBOOT,
  INITRD,
  SECURE_BOOT_KEYS
}
