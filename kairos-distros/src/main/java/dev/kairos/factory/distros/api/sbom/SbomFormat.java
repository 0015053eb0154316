package dev.kairos.factory.distros.api.sbom;

import java.util.Locale;

/** The SBOM formats {@link Sbom} writes, both JSON. */
public enum SbomFormat {
  /** CycloneDX 1.6 JSON: {@code components} holds one entry per installed package. */
  CYCLONEDX("cdx.json"),
  /** SPDX 2.3 JSON: {@code packages} holds the image and one entry per installed package. */
  SPDX("spdx.json");

  private final String extension;

  SbomFormat(String extension) {
    this.extension = extension;
  }

  /** The file name ending tools expect, e.g. {@code cdx.json} (without the leading dot). */
  public String extension() {
    return extension;
  }

  /** The format named {@code name}, case-insensitive ({@code cyclonedx} or {@code spdx}). */
  public static SbomFormat of(String name) {
    for (SbomFormat f : values()) {
      if (f.name().equalsIgnoreCase(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown SBOM format '" + name + "' (cyclonedx or spdx)");
  }

  /** The lower-case name, as the CLI spells it. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
