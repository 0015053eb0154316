package dev.kairos.factory.distros.internal.sbom;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * dpkg's database, {@code /var/lib/dpkg/status}: RFC 822 paragraphs, one per package, as
 * {@code dpkg-query} reads them. A package counts as installed unless its status is
 * {@code not-installed} or {@code config-files} (only its configuration is left).
 */
final class DpkgStatus {
  static final ImagePath STATUS = ImagePath.of("/var/lib/dpkg/status");

  private DpkgStatus() {}

  static List<Pkg> read(RootFs root, Distro distro) throws IOException {
    List<Pkg> out = new ArrayList<>();
    try (Limits.LineReader in = Limits.lines(root, STATUS)) {
      Map<String, String> fields = new HashMap<>();
      String key = null;
      String line;
      do {
        line = in.next();
        if (line == null || line.isBlank()) {
          if (!fields.isEmpty()) {
            toPkg(in.source(), fields, distro).ifPresent(out::add);
            Limits.checkCount(in.source(), out.size());
            fields.clear();
          }
          key = null;
        } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
          // A continuation line; only the first line of the fields we read matters, but keep it
          // bounded: long fields (Description, Conffiles) are not stored.
          continue;
        } else {
          int colon = line.indexOf(':');
          if (colon > 0) {
            key = line.substring(0, colon);
            fields.put(key, line.substring(colon + 1).trim());
          }
        }
      } while (line != null);
    }
    return out;
  }

  private static Optional<Pkg> toPkg(String source, Map<String, String> f, Distro distro) throws IOException {
    String name = f.get("Package");
    String[] status = f.getOrDefault("Status", "").split("\\s+");
    if (name == null || status.length < 3 || status[2].equals("not-installed") || status[2].equals("config-files")) {
      return Optional.empty();
    }
    String version = f.getOrDefault("Version", "");
    String arch = f.getOrDefault("Architecture", "");
    Map<String, String> q = new TreeMap<>();
    q.put("arch", arch);
    q.put("distro", distro.qualifier());
    String purl = Purls.of(source, "deb", distro.namespace(), name, version, q);
    List<String> requires = new ArrayList<>();
    relations(f.get("Pre-Depends"), requires);
    relations(f.get("Depends"), requires);
    List<String> provides = new ArrayList<>();
    relations(f.get("Provides"), provides);
    Optional<String> supplier = Optional.ofNullable(f.get("Maintainer")).filter(s -> !s.isEmpty());
    return Optional.of(new Pkg(name, version, arch, Optional.empty(), supplier, purl, provides, requires));
  }

  /**
   * The package names of a relation field ({@code a (>= 1), b:any | c}): each comma-separated
   * item's first alternative, without version or architecture qualifier.
   */
  static void relations(String field, List<String> into) {
    if (field == null || field.isEmpty()) {
      return;
    }
    for (String item : field.split(",")) {
      String first = item.split("\\|")[0].trim();
      int cut = first.length();
      for (int i = 0; i < first.length(); i++) {
        char c = first.charAt(i);
        if (c == ' ' || c == '(' || c == ':' || c == '[' || c == '<') {
          cut = i;
          break;
        }
      }
      if (cut > 0) {
        into.add(first.substring(0, cut));
      }
    }
  }
}
