package dev.kairos.factory.distros.internal.sbom;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * pacman's local database, {@code /var/lib/pacman/local/NAME-VERSION/desc}: sections
 * {@code %KEY%} followed by one value per line up to a blank line.
 */
final class PacmanLocal {
  static final ImagePath LOCAL = ImagePath.of("/var/lib/pacman/local");

  private PacmanLocal() {}

  static List<Pkg> read(RootFs root, Distro distro) throws IOException {
    List<Pkg> out = new ArrayList<>();
    List<String> entries = root.list(LOCAL);
    Limits.checkCount(LOCAL.toString(), entries.size());
    for (String entry : entries) {
      ImagePath desc = LOCAL.resolve(entry).resolve("desc");
      if (!root.isDirectory(LOCAL.resolve(entry)) || !root.isRegularFile(desc)) {
        continue; // ALPM_DB_VERSION and the like
      }
      Limits.checkSize(root, desc, Limits.MAX_DESC_BYTES);
      Map<String, List<String>> s = sections(new String(root.readAllBytes(desc), StandardCharsets.UTF_8));
      String name = first(s, "NAME");
      if (name == null) {
        continue;
      }
      String version = Optional.ofNullable(first(s, "VERSION")).orElse("");
      String arch = Optional.ofNullable(first(s, "ARCH")).orElse("");
      Map<String, String> q = new TreeMap<>();
      q.put("arch", arch);
      q.put("distro", distro.qualifier());
      String purl = Purls.of(desc.toString(), "alpm", distro.namespace(), name, version, q);
      List<String> licences = s.getOrDefault("LICENSE", List.of());
      Optional<String> licence = licences.isEmpty() ? Optional.empty()
          : Optional.of(licences.size() == 1 ? licences.get(0) : String.join(" AND ", licences));
      out.add(new Pkg(name, version, arch, licence, Optional.ofNullable(first(s, "PACKAGER")), purl,
          stripped(s.getOrDefault("PROVIDES", List.of())), stripped(s.getOrDefault("DEPENDS", List.of()))));
    }
    return out;
  }

  private static Map<String, List<String>> sections(String text) {
    Map<String, List<String>> out = new HashMap<>();
    List<String> current = null;
    for (String line : text.split("\n", -1)) {
      if (line.length() > 2 && line.startsWith("%") && line.endsWith("%")) {
        current = out.computeIfAbsent(line.substring(1, line.length() - 1), k -> new ArrayList<>());
      } else if (line.isEmpty()) {
        current = null;
      } else if (current != null) {
        current.add(line);
      }
    }
    return out;
  }

  private static String first(Map<String, List<String>> s, String key) {
    List<String> v = s.get(key);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** {@code glibc>=2.38}, {@code sh: for scripts} become {@code glibc}, {@code sh}. */
  private static List<String> stripped(List<String> relations) {
    List<String> out = new ArrayList<>();
    for (String r : relations) {
      int cut = r.length();
      for (int i = 0; i < r.length(); i++) {
        char c = r.charAt(i);
        if (c == '<' || c == '>' || c == '=' || c == ':') {
          cut = i;
          break;
        }
      }
      out.add(r.substring(0, cut).trim());
    }
    return out;
  }
}
