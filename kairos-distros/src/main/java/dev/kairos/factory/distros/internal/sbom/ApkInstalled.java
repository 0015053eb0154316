package dev.kairos.factory.distros.internal.sbom;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * apk's database, {@code /lib/apk/db/installed}: one block per package, blank-line separated,
 * each line {@code X:value} with a one-letter key (P name, V version, A arch, L licence,
 * m maintainer, D depends, p provides; F/R/Z... are files, skipped).
 */
final class ApkInstalled {
  static final ImagePath INSTALLED = ImagePath.of("/lib/apk/db/installed");

  private ApkInstalled() {}

  static List<Pkg> read(RootFs root, Distro distro) throws IOException {
    List<Pkg> out = new ArrayList<>();
    try (Limits.LineReader in = Limits.lines(root, INSTALLED)) {
      Block b = new Block();
      String line;
      do {
        line = in.next();
        if (line == null || line.isEmpty()) {
          if (b.name != null) {
            out.add(b.toPkg(in.source(), distro));
            Limits.checkCount(in.source(), out.size());
          }
          b = new Block();
        } else if (line.length() >= 2 && line.charAt(1) == ':') {
          String v = line.substring(2);
          switch (line.charAt(0)) {
            case 'P' -> b.name = v;
            case 'V' -> b.version = v;
            case 'A' -> b.arch = v;
            case 'L' -> b.licence = v;
            case 'm' -> b.maintainer = v;
            case 'D' -> names(v, b.requires);
            case 'p' -> names(v, b.provides);
            default -> { }
          }
        }
      } while (line != null);
    }
    return out;
  }

  /** Space-separated dependency atoms ({@code so:libc.musl-x86_64.so.1}, {@code musl>=1.2}, {@code !conflict}). */
  private static void names(String field, List<String> into) {
    for (String atom : field.trim().split("\\s+")) {
      if (atom.isEmpty() || atom.startsWith("!")) {
        continue;
      }
      int cut = atom.length();
      for (int i = 0; i < atom.length(); i++) {
        char c = atom.charAt(i);
        if (c == '<' || c == '>' || c == '=' || c == '~') {
          cut = i;
          break;
        }
      }
      into.add(atom.substring(0, cut));
    }
  }

  private static final class Block {
    String name;
    String version = "";
    String arch = "";
    String licence;
    String maintainer;
    final List<String> requires = new ArrayList<>();
    final List<String> provides = new ArrayList<>();

    Pkg toPkg(String source, Distro distro) throws IOException {
      Map<String, String> q = new TreeMap<>();
      q.put("arch", arch);
      q.put("distro", distro.qualifier());
      String purl = Purls.of(source, "apk", distro.namespace(), name, version, q);
      return new Pkg(name, version, arch, Optional.ofNullable(licence).filter(s -> !s.isEmpty()),
          Optional.ofNullable(maintainer).filter(s -> !s.isEmpty()), purl, provides, requires);
    }
  }
}
