package dev.kairos.factory.distros.internal.sbom;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.distro.OsRelease;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.release.KairosRelease;
import dev.kairos.factory.distros.api.sbom.SbomComponent;
import dev.kairos.factory.distros.api.sbom.SbomComponent.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything {@code Sbom.read} gathers from a root: the packages of every database the image has
 * (usually one), with their dependencies resolved to other installed packages through names and
 * provides, the Kairos release and provider, and the kernels in {@code /lib/modules}.
 */
public final class SbomReader {
  private static final ImagePath MODULES = ImagePath.of("/lib/modules");
  private static final ImagePath USR_MODULES = ImagePath.of("/usr/lib/modules");

  /** What was read: the image's name and version and its components, sorted by purl. */
  public record Contents(String name, String version, List<SbomComponent> components) {}

  private SbomReader() {}

  /** Reads the databases, release files and kernels of {@code root}. */
  public static Contents read(RootFs root) throws IOException {
    Optional<OsRelease> os = osRelease(root);
    SortedMap<String, String> kairos = KairosRelease.read(root);
    List<SbomComponent> all = new ArrayList<>();
    if (root.isRegularFile(DpkgStatus.STATUS)) {
      all.addAll(resolve(Kind.DEB, DpkgStatus.read(root, distro(os, "debian"))));
    }
    if (root.isRegularFile(ApkInstalled.INSTALLED)) {
      all.addAll(resolve(Kind.APK, ApkInstalled.read(root, distro(os, "alpine"))));
    }
    Optional<ImagePath> rpmdb = RpmDatabase.find(root);
    if (rpmdb.isPresent()) {
      all.addAll(resolve(Kind.RPM, RpmDatabase.read(root, rpmdb.get(), distro(os, "fedora"))));
    }
    if (root.isDirectory(PacmanLocal.LOCAL)) {
      all.addAll(resolve(Kind.ALPM, PacmanLocal.read(root, distro(os, "arch"))));
    }
    all.addAll(kairos(kairos));
    all.addAll(kernels(root));
    all.sort(Comparator.comparing(SbomComponent::purl));
    for (int i = 1; i < all.size(); i++) {
      if (all.get(i).purl().equals(all.get(i - 1).purl())) {
        throw new InvalidInputException(all.get(i).purl(), "listed twice in the image's package database");
      }
    }
    String name = Optional.ofNullable(kairos.get(KairosRelease.NAME)).filter(s -> !s.isEmpty())
        .orElseGet(() -> os.map(o -> o.id() + (o.versionId().isEmpty() ? "" : "-" + o.versionId())).orElse("image"));
    String version = Optional.ofNullable(kairos.get(KairosRelease.VERSION)).filter(s -> !s.isEmpty())
        .orElseGet(() -> os.map(OsRelease::versionId).filter(s -> !s.isEmpty()).orElse("unknown"));
    return new Contents(name, version, all);
  }

  private static Optional<OsRelease> osRelease(RootFs root) throws IOException {
    if (!root.isRegularFile(OsRelease.ETC_OS_RELEASE) && !root.isRegularFile(OsRelease.USR_LIB_OS_RELEASE)) {
      return Optional.empty();
    }
    return Optional.of(OsRelease.read(root));
  }

  private static Distro distro(Optional<OsRelease> os, String fallback) {
    String id = os.map(OsRelease::id).filter(s -> !s.isEmpty()).orElse(fallback);
    String versionId = os.map(OsRelease::versionId).orElse("");
    return new Distro(id, versionId.isEmpty() ? "" : id + "-" + versionId);
  }

  /** Turns each package's required names into the purls of the installed packages that provide them. */
  static List<SbomComponent> resolve(Kind kind, List<Pkg> pkgs) {
    Map<String, List<String>> providers = new HashMap<>();
    for (Pkg p : pkgs) {
      providers.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(p.purl());
      for (String v : p.provides()) {
        providers.computeIfAbsent(v, k -> new ArrayList<>()).add(p.purl());
      }
    }
    List<SbomComponent> out = new ArrayList<>(pkgs.size());
    for (Pkg p : pkgs) {
      TreeSet<String> deps = new TreeSet<>();
      for (String r : p.requires()) {
        List<String> by = providers.get(r);
        if (by != null) {
          // A name several installed packages provide (multi-arch, virtual packages): the first
          // in database order, which is the one the package manager saw first.
          deps.add(by.get(0));
        }
      }
      deps.remove(p.purl());
      out.add(new SbomComponent(kind, p.name(), p.version(), p.arch(), p.licence(), p.supplier(), p.purl(),
          List.copyOf(deps)));
    }
    return out;
  }

  /** Kairos itself (its version in kairos-release) and the provider it carries, if any. */
  private static List<SbomComponent> kairos(SortedMap<String, String> release) throws InvalidInputException {
    List<SbomComponent> out = new ArrayList<>();
    String version = release.getOrDefault(KairosRelease.VERSION, "");
    if (version.isEmpty()) {
      return out;
    }
    String arch = release.getOrDefault(KairosRelease.ARCH, "");
    TreeMap<String, String> q = new TreeMap<>(Map.of("arch", arch));
    out.add(new SbomComponent(Kind.KAIROS, "kairos", version, arch, Optional.of("Apache-2.0"), Optional.of("Kairos"),
        Purls.of(KairosRelease.PATH.toString(), "generic", "kairos-io", "kairos", version, q), List.of()));
    String provider = release.getOrDefault(KairosRelease.SOFTWARE_VERSION_PREFIX, "");
    String providerVersion = release.getOrDefault(KairosRelease.SOFTWARE_VERSION, "");
    if (!provider.isEmpty() && !providerVersion.isEmpty()) {
      out.add(new SbomComponent(Kind.KAIROS, provider, providerVersion, arch, Optional.empty(), Optional.empty(),
          Purls.of(KairosRelease.PATH.toString(), "generic", "kairos-io", provider, providerVersion, q), List.of()));
    }
    return out;
  }

  /** One component per kernel whose modules are installed ({@code /lib/modules/VERSION}). */
  private static List<SbomComponent> kernels(RootFs root) throws IOException {
    ImagePath dir = root.isDirectory(MODULES) ? MODULES : USR_MODULES;
    List<SbomComponent> out = new ArrayList<>();
    if (!root.isDirectory(dir)) {
      return out;
    }
    List<String> versions = root.list(dir);
    Limits.checkCount(dir.toString(), versions.size());
    for (String v : versions) {
      if (root.isDirectory(dir.resolve(v))) {
        out.add(new SbomComponent(Kind.KERNEL, "linux", v, "", Optional.of("GPL-2.0-only"), Optional.empty(),
            Purls.of(dir.toString(), "generic", null, "linux", v, Map.of()), List.of()));
      }
    }
    return out;
  }
}
