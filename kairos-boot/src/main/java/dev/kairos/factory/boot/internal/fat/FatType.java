package dev.kairos.factory.boot.internal.fat;

/** The FAT variant of a {@link FatImage}; the cluster count decides it, as every reader checks. */
public enum FatType {
  /** 4085 to 65524 clusters: small volumes (Kairos' 64 MiB ESP is FAT16 with mkfs.fat too). */
  FAT16,
  /** 65525 clusters and more, so at least about 33 MiB. */
  FAT32,
  /** FAT16 below 512 MiB, FAT32 from there, as mkfs.fat chooses. */
  AUTO
}
