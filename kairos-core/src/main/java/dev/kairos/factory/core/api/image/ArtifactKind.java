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
  NETBOOT,
  INITRD,
  SECURE_BOOT_KEYS
}
