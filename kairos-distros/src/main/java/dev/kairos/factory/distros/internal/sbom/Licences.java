package dev.kairos.factory.distros.internal.sbom;

import org.spdx.library.LicenseInfoFactory;
import org.spdx.library.SpdxModelFactory;

/**
 * Which licence strings of a database are SPDX: a listed id ({@code MIT}), an expression of
 * listed ids ({@code GPL-2.0-or-later AND MIT}), or neither (Debian's {@code GPL-2+}, free
 * text). The SPDX licence list is the one bundled with the SPDX library: nothing is fetched.
 */
final class Licences {
  enum Parsed { ID, EXPRESSION, TEXT }

  static {
    // The bundled licence list, never the network (and no wait on it).
    System.setProperty("org.spdx.useJARLicenseInfoOnly", "true");
    System.setProperty("SPDXParser.OnlyUseLocalLicenses", "true");
    SpdxModelFactory.init();
  }

  private Licences() {}

  static Parsed classify(String text) {
    if (LicenseInfoFactory.isSpdxListedLicenseId(text)) {
      return Parsed.ID;
    }
    String[] words = text.replace("(", " ").replace(")", " ").trim().split("\\s+");
    boolean operator = false;
    for (String w : words) {
      if (w.equals("AND") || w.equals("OR") || w.equals("WITH")) {
        operator = true;
      } else if (!LicenseInfoFactory.isSpdxListedLicenseId(w) && !LicenseInfoFactory.isSpdxListedExceptionId(w)) {
        return Parsed.TEXT;
      }
    }
    return operator ? Parsed.EXPRESSION : Parsed.TEXT;
  }
}
