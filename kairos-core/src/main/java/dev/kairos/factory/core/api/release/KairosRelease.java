package dev.kairos.factory.core.api.release;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code /etc/kairos-release}: the keys that identify a Kairos image (upgrades, GRUB and artifact
 * names read them). {@link #keys} computes what the {@code kairosRelease} step writes;
 * {@link #merge} writes them as kairos-init does: keys already in the file are kept, the new ones
 * overwrite, and the whole file is rewritten sorted ({@link EnvFile}), mode {@code 0644}.
 *
 * <pre>{@code
 * Map<String, String> keys = KairosRelease.keys(new KairosRelease.Inputs(
 *     "debian", "12", "debian", "generic", "amd64", KairosVersion.parse("1.0"),
 *     false, false, "v0.1.0", Optional.empty()));
 * KairosRelease.merge(root, keys);       // KAIROS_VERSION="v1.0.0", KAIROS_FLAVOR_RELEASE=12, ...
 * SortedMap<String, String> now = KairosRelease.read(root);
 * }</pre>
 */
public final class KairosRelease {
  /** Where the file lives in the image. */
  public static final ImagePath PATH = ImagePath.of("/etc/kairos-release");

  public static final String ID = "KAIROS_ID";
  public static final String ID_LIKE = "KAIROS_ID_LIKE";
  public static final String NAME = "KAIROS_NAME";
  public static final String VERSION = "KAIROS_VERSION";
  public static final String RELEASE = "KAIROS_RELEASE";
  public static final String ARCH = "KAIROS_ARCH";
  public static final String TARGETARCH = "KAIROS_TARGETARCH";
  public static final String FLAVOR = "KAIROS_FLAVOR";
  public static final String FLAVOR_RELEASE = "KAIROS_FLAVOR_RELEASE";
  public static final String FAMILY = "KAIROS_FAMILY";
  public static final String MODEL = "KAIROS_MODEL";
  public static final String VARIANT = "KAIROS_VARIANT";
  public static final String BUG_REPORT_URL = "KAIROS_BUG_REPORT_URL";
  public static final String HOME_URL = "KAIROS_HOME_URL";
  public static final String FIPS = "KAIROS_FIPS";
  public static final String TRUSTED_BOOT = "KAIROS_TRUSTED_BOOT";
  public static final String INIT_VERSION = "KAIROS_INIT_VERSION";
  public static final String SOFTWARE_VERSION = "KAIROS_SOFTWARE_VERSION";
  public static final String SOFTWARE_VERSION_PREFIX = "KAIROS_SOFTWARE_VERSION_PREFIX";

  /** The keys {@code validate} requires to be present and non-empty, in the order it checks them. */
  public static final List<String> REQUIRED_KEYS = List.of(ID, ID_LIKE, NAME, VERSION, ARCH, TARGETARCH,
      FLAVOR, FLAVOR_RELEASE, FAMILY, MODEL, VARIANT, BUG_REPORT_URL, HOME_URL, RELEASE);

  private KairosRelease() {}

  /**
   * What the release keys are computed from.
   *
   * @param distro the raw distro id ({@code ubuntu}, {@code opensuse-leap}, ...)
   * @param versionId the distro's version ({@code VERSION_ID}; Alpine already cut to major.minor)
   * @param family the family string ({@code debian}, {@code redhat}, ...)
   * @param model the model name ({@code generic}, {@code rpi4}, ...)
   * @param arch the target architecture ({@code amd64}, {@code arm64}, {@code riscv64})
   * @param software the provider's name and version ({@code k3s}, {@code v1.32.1+k3s1}) for a
   *     standard image, empty for a core one
   */
  public record Inputs(String distro, String versionId, String family, String model, String arch,
      KairosVersion version, boolean fips, boolean trustedBoot, String initVersion,
      Optional<Map.Entry<String, String>> software) {
    public Inputs {
      Objects.requireNonNull(distro, "distro");
      Objects.requireNonNull(versionId, "versionId");
      Objects.requireNonNull(family, "family");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(arch, "arch");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(initVersion, "initVersion");
      Objects.requireNonNull(software, "software");
    }

    /** {@code standard} with a provider, else {@code core}. */
    public String variant() {
      return software.isPresent() ? "standard" : "core";
    }
  }

  /** Every key the {@code kairosRelease} step writes, sorted. */
  public static SortedMap<String, String> keys(Inputs in) {
    SortedMap<String, String> k = new TreeMap<>();
    String name = "kairos-" + in.variant() + "-" + in.distro() + "-" + in.versionId();
    k.put(ID, "kairos");
    k.put(ID_LIKE, name);
    k.put(NAME, name);
    k.put(VERSION, in.version().toString());
    k.put(RELEASE, in.version().toString());
    k.put(ARCH, in.arch());
    k.put(TARGETARCH, in.arch());
    k.put(FLAVOR, flavor(in.distro()));
    k.put(FLAVOR_RELEASE, flavorRelease(in.distro(), in.versionId()));
    k.put(FAMILY, in.family());
    k.put(MODEL, in.model());
    k.put(VARIANT, in.variant());
    k.put(BUG_REPORT_URL, "https://github.com/kairos-io/kairos/issues");
    k.put(HOME_URL, "https://github.com/kairos-io/kairos");
    k.put(FIPS, Boolean.toString(in.fips()));
    k.put(TRUSTED_BOOT, Boolean.toString(in.trustedBoot()));
    k.put(INIT_VERSION, in.initVersion());
    in.software().ifPresent(s -> {
      k.put(SOFTWARE_VERSION_PREFIX, s.getKey());
      k.put(SOFTWARE_VERSION, s.getValue());
    });
    return Collections.unmodifiableSortedMap(k);
  }

  /** The flavor: the distro id, except that both openSUSE distros are {@code opensuse}. */
  static String flavor(String distro) {
    return distro.startsWith("opensuse-") ? "opensuse" : distro;
  }

  /** The flavor release: the version, prefixed {@code leap-}/{@code tumbleweed-} for openSUSE. */
  static String flavorRelease(String distro, String versionId) {
    return distro.startsWith("opensuse-") ? distro.substring("opensuse-".length()) + "-" + versionId : versionId;
  }

  /** The keys of the image's {@code /etc/kairos-release}, sorted; empty when there is none. */
  public static SortedMap<String, String> read(RootFs root) throws IOException {
    if (!root.isRegularFile(PATH)) {
      return Collections.emptySortedMap();
    }
    return Collections.unmodifiableSortedMap(new TreeMap<>(EnvFile.parse(root.readString(PATH))));
  }

  /**
   * Merges {@code keys} into the image's file: existing keys are kept, these overwrite, all are
   * written sorted with mode {@code 0644}. Returns what the file now holds.
   */
  public static SortedMap<String, String> merge(RootFs root, Map<String, String> keys) throws IOException {
    SortedMap<String, String> all = new TreeMap<>(read(root));
    all.putAll(keys);
    root.write(PATH, EnvFile.format(all).getBytes(java.nio.charset.StandardCharsets.UTF_8), 0644);
    return Collections.unmodifiableSortedMap(all);
  }
}
