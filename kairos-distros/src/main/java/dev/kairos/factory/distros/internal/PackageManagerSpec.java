package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.fs.ImagePath;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.type.TypeReference;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** One package manager's command table from {@code package-managers.yaml}. */
record PackageManagerSpec(String name, Map<String, String> env, List<String> refresh, List<String> upgrade,
    List<String> install, List<String> remove, List<List<String>> clean, List<ImagePath> logs) {
  static final String RESOURCE = "package-managers.yaml";

  private static final Map<String, PackageManagerSpec> ALL = load();

  /** The spec named {@code name} ({@code apt-get}, {@code dnf}, {@code zypper}, {@code apk}, {@code pacman}). */
  static PackageManagerSpec named(String name) {
    PackageManagerSpec s = ALL.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no package manager '" + name + "'; known: " + ALL.keySet());
    }
    return s;
  }

  private record Raw(Map<String, String> env, List<String> refresh, List<String> upgrade, List<String> install,
      List<String> remove, List<List<String>> clean, List<String> logs) {}

  private static Map<String, PackageManagerSpec> load() {
    Map<String, Raw> raw = new YAMLMapper().readValue(Resources.bytes(RESOURCE), new TypeReference<Map<String, Raw>>() {});
    Map<String, PackageManagerSpec> out = new TreeMap<>();
    raw.forEach((name, r) -> {
      if (r.env() == null || empty(r.refresh()) || empty(r.upgrade()) || empty(r.install()) || empty(r.remove())
          || r.clean() == null || r.clean().stream().anyMatch(PackageManagerSpec::empty) || r.logs() == null) {
        throw new IllegalStateException(RESOURCE + ": " + name + " needs env, refresh, upgrade, install, remove, clean and logs");
      }
      out.put(name, new PackageManagerSpec(name, Map.copyOf(r.env()), List.copyOf(r.refresh()), List.copyOf(r.upgrade()),
          List.copyOf(r.install()), List.copyOf(r.remove()), r.clean().stream().map(List::copyOf).toList(),
          r.logs().stream().map(ImagePath::of).toList()));
    });
    return Map.copyOf(out);
  }

  private static boolean empty(List<?> l) {
    return l == null || l.isEmpty();
  }
}
