package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.distro.PackageSelection;
import dev.kairos.factory.core.api.distro.PackageSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.type.TypeReference;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The package tables of {@code packages.yaml} and their resolution (kairos-init §6.1): lists keyed
 * by distro or family, then architecture, then version constraint (and model for the model
 * tables). Parsed and checked once, when the class loads.
 */
final class PackageTables {
  static final String RESOURCE = "packages.yaml";
  private static final List<String> ARCH_KEYS = List.of("common", "amd64", "arm64", "riscv64");

  /** constraint -> packages. */
  private record Rows(Map<VersionConstraint, List<String>> rows) {
    List<String> select(LenientVersion v) {
      List<String> out = new ArrayList<>();
      rows.forEach((c, pkgs) -> {
        if (c.test(v)) {
          out.addAll(pkgs);
        }
      });
      return out;
    }
  }

  /** key -> arch -> rows. */
  private record Table(Map<String, Map<String, Rows>> byKey) {
    Optional<Rows> get(String key, String arch) {
      return Optional.ofNullable(byKey.getOrDefault(key, Map.of()).get(arch));
    }
  }

  /** key -> arch -> model -> rows. */
  private record ModelTable(Map<String, Map<String, Map<String, Rows>>> byKey) {
    Optional<Rows> get(String key, String arch, String model) {
      return Optional.ofNullable(byKey.getOrDefault(key, Map.of()).getOrDefault(arch, Map.of()).get(model));
    }
  }

  private final List<String> common;
  private final Table base;
  private final Table grub;
  private final Table immucore;
  private final Table systemdBoot;
  private final Table kernel;
  private final Table kernelTrustedBoot;
  private final ModelTable baseModels;
  private final ModelTable kernelModels;

  private static final PackageTables DEFAULT = load();

  static PackageTables get() {
    return DEFAULT;
  }

  private PackageTables(Map<String, Object> doc) {
    this.common = stringList(doc.get("common"), "common");
    this.base = table(doc, "base");
    this.grub = table(doc, "grub");
    this.immucore = table(doc, "immucore");
    this.systemdBoot = table(doc, "systemdBoot");
    this.kernel = table(doc, "kernel");
    this.kernelTrustedBoot = table(doc, "kernelTrustedBoot");
    this.baseModels = modelTable(doc, "baseModels");
    this.kernelModels = modelTable(doc, "kernelModels");
    Set<String> known = Set.of("common", "base", "grub", "immucore", "systemdBoot", "kernel", "kernelTrustedBoot",
        "baseModels", "kernelModels");
    for (String k : doc.keySet()) {
      if (!known.contains(k)) {
        throw new IllegalStateException(RESOURCE + ": unknown table '" + k + "'; known: " + known);
      }
    }
  }

  private static PackageTables load() {
    return new PackageTables(new YAMLMapper().readValue(Resources.bytes(RESOURCE),
        new TypeReference<Map<String, Object>>() {}));
  }

  /**
   * Resolves the lists for {@code sel}.
   *
   * @throws UnsupportedTargetException if the model cannot be built for this distro and architecture
   */
  PackageSet resolve(PackageSelection sel) throws UnsupportedTargetException {
    String distroKey = "distro/" + sel.distro();
    String familyKey = "family/" + sel.family().id();
    String arch = sel.arch().id();
    List<String> keys = List.of(distroKey, familyKey);
    if (sel.model() != Model.GENERIC) {
      List<String> models = supportedModels(sel.distro(), sel.family(), sel.arch());
      if (!models.contains(sel.model().id())) {
        throw new UnsupportedTargetException("model", sel.model().id() + " for " + sel.distro() + " on " + arch, models);
      }
    }
    Optional<LenientVersion> parsed = LenientVersion.parse(sel.version());
    if (parsed.isEmpty()) {
      // As kairos-init: an unparseable VERSION_ID selects nothing from the tables.
      return new PackageSet(common, List.of(), List.of(), List.of(), List.of(), List.of());
    }
    LenientVersion v = parsed.get();
    List<String> distro = collect(base, keys, arch, v);
    List<String> kernelList;
    if (sel.model() == Model.GENERIC) {
      Table k = sel.trustedBoot() ? kernelTrustedBoot : kernel;
      boolean distroHasEntry = k.get(distroKey, "common").isPresent() || k.get(distroKey, arch).isPresent();
      kernelList = collect(k, List.of(distroHasEntry ? distroKey : familyKey), arch, v);
    } else {
      distro.addAll(collectModel(baseModels, keys, arch, sel.model().id(), v));
      kernelList = collectModel(kernelModels, keys, arch, sel.model().id(), v);
    }
    boolean tb = sel.trustedBoot();
    return new PackageSet(common, render(distro, sel),
        tb ? List.of() : render(collect(grub, keys, arch, v), sel),
        tb ? List.of() : render(collect(immucore, keys, arch, v), sel),
        tb ? render(collect(systemdBoot, keys, arch, v), sel) : List.of(),
        render(kernelList, sel));
  }

  /** {@code generic} and every model the model tables name for this distro/family and architecture. */
  List<String> supportedModels(String distro, Family family, Architecture arch) {
    Set<String> out = new LinkedHashSet<>();
    out.add(Model.GENERIC.id());
    for (ModelTable t : List.of(baseModels, kernelModels)) {
      for (String key : List.of("distro/" + distro, "family/" + family.id())) {
        for (String a : List.of("common", arch.id())) {
          out.addAll(t.byKey.getOrDefault(key, Map.of()).getOrDefault(a, Map.of()).keySet());
        }
      }
    }
    // In Model order, so messages are stable.
    return Model.ids().stream().filter(out::contains).toList();
  }

  private static List<String> collect(Table t, List<String> keys, String arch, LenientVersion v) {
    List<String> out = new ArrayList<>();
    for (String key : keys) {
      for (String a : List.of("common", arch)) {
        t.get(key, a).ifPresent(r -> out.addAll(r.select(v)));
      }
    }
    return out;
  }

  private static List<String> collectModel(ModelTable t, List<String> keys, String arch, String model, LenientVersion v) {
    List<String> out = new ArrayList<>();
    for (String key : keys) {
      for (String a : List.of("common", arch)) {
        t.get(key, a, model).ifPresent(r -> out.addAll(r.select(v)));
      }
    }
    return out;
  }

  /** Fills the {{placeholders}} and drops duplicates, keeping the first occurrence. */
  private static List<String> render(List<String> pkgs, PackageSelection sel) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String p : pkgs) {
      out.add(p.replace("{{version}}", sel.version()).replace("{{distro}}", sel.distro())
          .replace("{{arch}}", sel.arch().id()).replace("{{family}}", sel.family().id()));
    }
    return List.copyOf(out);
  }

  // ---------------------------------------------------------------- parsing and checking the document

  private static Table table(Map<String, Object> doc, String name) {
    Map<String, Map<String, Rows>> byKey = new LinkedHashMap<>();
    map(doc.get(name), name).forEach((key, archs) -> {
      checkKey(key, name);
      Map<String, Rows> byArch = new LinkedHashMap<>();
      map(archs, name + "." + key).forEach((arch, rows) -> {
        checkArch(arch, name + "." + key);
        byArch.put(arch, rows(rows, name + "." + key + "." + arch));
      });
      byKey.put(key, byArch);
    });
    return new Table(byKey);
  }

  private static ModelTable modelTable(Map<String, Object> doc, String name) {
    Map<String, Map<String, Map<String, Rows>>> byKey = new LinkedHashMap<>();
    map(doc.get(name), name).forEach((key, archs) -> {
      checkKey(key, name);
      Map<String, Map<String, Rows>> byArch = new LinkedHashMap<>();
      map(archs, name + "." + key).forEach((arch, models) -> {
        String where = name + "." + key + "." + arch;
        checkArch(arch, where);
        Map<String, Rows> byModel = new LinkedHashMap<>();
        map(models, where).forEach((model, rows) -> {
          if (!Model.ids().contains(model) || model.equals(Model.GENERIC.id())) {
            throw new IllegalStateException(RESOURCE + ": " + where + ": unknown model '" + model + "'");
          }
          byModel.put(model, rows(rows, where + "." + model));
        });
        byArch.put(arch, byModel);
      });
      byKey.put(key, byArch);
    });
    return new ModelTable(byKey);
  }

  private static Rows rows(Object o, String where) {
    Map<VersionConstraint, List<String>> out = new LinkedHashMap<>();
    map(o, where).forEach((c, pkgs) -> out.put(VersionConstraint.parse(c), stringList(pkgs, where + "." + c)));
    return new Rows(out);
  }

  private static void checkKey(String key, String where) {
    if (!key.matches("(distro/[a-z0-9.-]+)|(family/(" + String.join("|", Family.ids()) + "))")) {
      throw new IllegalStateException(RESOURCE + ": " + where + ": bad key '" + key + "' (want distro/<id> or family/<family>)");
    }
  }

  private static void checkArch(String arch, String where) {
    if (!ARCH_KEYS.contains(arch)) {
      throw new IllegalStateException(RESOURCE + ": " + where + ": bad architecture '" + arch + "'; want one of " + ARCH_KEYS);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o, String where) {
    if (!(o instanceof Map)) {
      throw new IllegalStateException(RESOURCE + ": " + where + " must be a mapping, got " + o);
    }
    return (Map<String, Object>) o;
  }

  private static List<String> stringList(Object o, String where) {
    if (!(o instanceof List<?> l) || l.isEmpty() || !l.stream().allMatch(x -> x instanceof String s && !s.isBlank())) {
      throw new IllegalStateException(RESOURCE + ": " + where + " must be a non-empty list of package names, got " + o);
    }
    return l.stream().map(String.class::cast).toList();
  }
}
