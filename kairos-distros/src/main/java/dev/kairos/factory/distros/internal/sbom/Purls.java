package dev.kairos.factory.distros.internal.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURLBuilder;
import dev.kairos.factory.core.api.InvalidInputException;
import java.util.Map;

/** Package URLs (the purl spec), percent-encoded by the purl library. */
final class Purls {
  private Purls() {}

  /** {@code pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS}; empty qualifier values are left out. */
  static String of(String source, String type, String namespace, String name, String version, Map<String, String> qualifiers)
      throws InvalidInputException {
    try {
      PackageURLBuilder b = PackageURLBuilder.aPackageURL().withType(type).withName(name);
      if (namespace != null && !namespace.isEmpty()) {
        b.withNamespace(namespace);
      }
      if (!version.isEmpty()) {
        b.withVersion(version);
      }
      qualifiers.forEach((k, v) -> {
        if (v != null && !v.isEmpty()) {
          b.withQualifier(k, v);
        }
      });
      return b.build().canonicalize();
    } catch (MalformedPackageURLException e) {
      throw new InvalidInputException(source, "package " + name + " " + version + ": no valid package URL: " + e.getMessage());
    }
  }
}
