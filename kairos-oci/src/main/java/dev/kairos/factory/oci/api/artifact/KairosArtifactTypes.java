package dev.kairos.factory.oci.api.artifact;

/**
 * The artifact types (and document media types) of what a Kairos build puts in a registry. An
 * artifact type says what an OCI artifact is; scanners and {@code oras discover} filter on it.
 */
public final class KairosArtifactTypes {
  /** The live/installer ISO. */
  public static final String ISO = "application/vnd.kairos.iso.v1";
  /** The raw disk image (the Factory's {@code -img} artifact). */
  public static final String RAW_DISK = "application/vnd.kairos.disk.raw.v1";
  /** A unified kernel image. */
  public static final String UKI = "application/vnd.kairos.uki.v1";
  /** Any other file. */
  public static final String FILE = "application/vnd.kairos.file.v1";
  /** A CycloneDX JSON SBOM (the artifact type Trivy and Grype look for). */
  public static final String CYCLONEDX = "application/vnd.cyclonedx+json";
  /** An SPDX JSON SBOM. */
  public static final String SPDX = "application/spdx+json";
  /** An unsigned in-toto statement (the build's provenance). */
  public static final String IN_TOTO = "application/vnd.in-toto+json";
  /** A signed in-toto statement: a DSSE envelope around it. */
  public static final String DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json";
  /** The media type of a file's bytes when nothing more is known. */
  public static final String OCTET_STREAM = "application/octet-stream";

  private KairosArtifactTypes() {}

  /**
   * The artifact type a file's name suggests: {@code .iso} an ISO, {@code .raw}/{@code .img} a raw
   * disk, {@code .efi} a UKI, {@code .spdx.json} SPDX, other {@code .json} CycloneDX, anything else
   * {@link #FILE}.
   */
  public static String forFileName(String fileName) {
    String n = fileName.toLowerCase(java.util.Locale.ROOT);
    return n.endsWith(".iso") ? ISO
        : n.endsWith(".raw") || n.endsWith(".img") ? RAW_DISK
        : n.endsWith(".efi") ? UKI
        : n.endsWith(".json") ? sbomType(n)
        : FILE;
  }

  /**
   * The artifact type of an SBOM file by its name: {@code *.spdx.json} is SPDX, any other
   * {@code *.json} CycloneDX.
   *
   * @throws IllegalArgumentException if the name does not end in {@code .json}
   */
  public static String sbomType(String fileName) {
    if (fileName.endsWith(".spdx.json")) {
      return SPDX;
    }
    if (fileName.endsWith(".json")) {
      return CYCLONEDX;
    }
    throw new IllegalArgumentException("an SBOM is a JSON file (CycloneDX *.json or SPDX *.spdx.json): " + fileName);
  }
}
