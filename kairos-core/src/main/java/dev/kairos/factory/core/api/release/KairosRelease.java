package dev.kairos.factory.core.api.release;

import dev.kairos.factory.core.api.BuildOptions;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.OsRelease;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code /etc/kairos-release}: the keys that identify a Kairos image (upgrades, GRUB and artifact
 * names read them). {@link #keys} computes what the {@code kairosRelease} step writes;
 * {@link #merge} writes them as kairos-init does: keys already in the file are kept, the new ones
 * overwrite, and the whole file is rewritten sorted ({@link EnvFile}), mode {@code 0644}.
 *
 * <pre>{@code
 * Map<String, String> keys = KairosRelease.keys(Distros.detect(root), options, "v0.1.0");
 * KairosRelease.merge(root, keys);       // KAIROS_VERSION="v1.0.0", KAIROS_FLAVOR_RELEASE=12, ...
 * SortedMap<String, String> now = KairosRelease.read(root);
 * }</pre>
 */
public final class KairosRelease {
  /** Where the file lives in the image. */
  public static final ImagePath PATH = ImagePath.of("/etc/kairos-release");

  /** The release's id, {@code kairos}. */
  public static final String ID = "KAIROS_ID";
  /** The image's name, as {@link #NAME}: {@code kairos-<variant>-<distro>-<version>}. */
  public static final String ID_LIKE = "KAIROS_ID_LIKE";
  /** The image's name: {@code kairos-<variant>-<distro>-<version>}. */
  public static final String NAME = "KAIROS_NAME";
  /** The Kairos version of the image, e.g. {@code v1.0.0}. */
  public static final String VERSION = "KAIROS_VERSION";
  /** The same version, as kairos-init repeats it. */
  public static final String RELEASE = "KAIROS_RELEASE";
  /** The architecture, e.g. {@code amd64}. */
  public static final String ARCH = "KAIROS_ARCH";
  /** The architecture as OCI platforms name it. */
  public static final String TARGETARCH = "KAIROS_TARGETARCH";
  /** The base distribution, e.g. {@code debian}. */
  public static final String FLAVOR = "KAIROS_FLAVOR";
  /** The base distribution's release, e.g. {@code 12}. */
  public static final String FLAVOR_RELEASE = "KAIROS_FLAVOR_RELEASE";
  /** The distribution family, a {@code Family} id. */
  public static final String FAMILY = "KAIROS_FAMILY";
  /** The board model, e.g. {@code generic} or {@code rpi4}. */
  public static final String MODEL = "KAIROS_MODEL";
  /** {@code core} or {@code standard} (with a Kubernetes provider). */
  public static final String VARIANT = "KAIROS_VARIANT";
  /** Where to report bugs. */
  public static final String BUG_REPORT_URL = "KAIROS_BUG_REPORT_URL";
  /** The project's home page. */
  public static final String HOME_URL = "KAIROS_HOME_URL";
  /** {@code true} if the image is built for FIPS. */
  public static final String FIPS = "KAIROS_FIPS";
  /** {@code true} for a Trusted Boot (UKI) image. */
  public static final String TRUSTED_BOOT = "KAIROS_TRUSTED_BOOT";
  /** The version of the library that kairosified the image. */
  public static final String INIT_VERSION = "KAIROS_INIT_VERSION";
  /** A standard image's provider version, e.g. {@code v1.31.1+k3s1}. */
  public static final String SOFTWARE_VERSION = "KAIROS_SOFTWARE_VERSION";
  /** A standard image's provider, e.g. {@code k3s}. */
  public static final String SOFTWARE_VERSION_PREFIX = "KAIROS_SOFTWARE_VERSION_PREFIX";

  /** The keys {@code validate} requires to be present and non-empty, in the order it checks them. */
  public static final List<String> REQUIRED_KEYS = List.of(ID, ID_LIKE, NAME, VERSION, ARCH, TARGETARCH,
      FLAVOR, FLAVOR_RELEASE, FAMILY, MODEL, VARIANT, BUG_REPORT_URL, HOME_URL, RELEASE);

  private KairosRelease() {}

  /**
   * Every key the {@code kairosRelease} step writes, sorted: the distro's own
   * ({@link DistroInfo#kairosReleaseFields()}, with the target architecture of {@code options}),
   * the version, model, variant, FIPS and trusted-boot flags, and for a standard image the first
   * versioned provider as {@code KAIROS_SOFTWARE_VERSION(_PREFIX)}.
   *
   * @param initVersion the version of this library, written as {@code KAIROS_INIT_VERSION}
   */
  public static SortedMap<String, String> keys(DistroInfo distro, BuildOptions options, String initVersion) {
    SortedMap<String, String> k = new TreeMap<>(distro.toBuilder().arch(options.arch()).build().kairosReleaseFields());
    String name = "kairos-" + options.variant() + "-" + distro.distro() + "-" + distro.version();
    k.put(ID, "kairos");
    k.put(ID_LIKE, name);
    k.put(NAME, name);
    k.put(VERSION, options.version().toString());
    k.put(RELEASE, options.version().toString());
    k.put(MODEL, options.model().id());
    k.put(VARIANT, options.variant());
    k.put(BUG_REPORT_URL, "https://github.com/kairos-io/kairos/issues");
    k.put(HOME_URL, "https://github.com/kairos-io/kairos");
    k.put(FIPS, Boolean.toString(options.fips()));
    k.put(TRUSTED_BOOT, Boolean.toString(options.trustedBoot()));
    k.put(INIT_VERSION, Objects.requireNonNull(initVersion, "initVersion"));
    options.providers().stream().filter(p -> !p.version().isEmpty()).findFirst().ifPresent(p -> {
      k.put(SOFTWARE_VERSION_PREFIX, p.name());
      k.put(SOFTWARE_VERSION, p.version());
    });
    return Collections.unmodifiableSortedMap(k);
  }

  /**
   * The keys of the image's {@code /etc/kairos-release}, sorted; empty when there is none. The
   * file is parsed as {@link OsRelease} parses (the one reader of this format), at most
   * {@link OsRelease#MAX_BYTES} of it.
   *
   * @throws dev.kairos.factory.core.api.InvalidInputException if it is malformed or too large
   */
  public static SortedMap<String, String> read(RootFs root) throws IOException {
    if (!root.isRegularFile(PATH)) {
      return Collections.emptySortedMap();
    }
    return Collections.unmodifiableSortedMap(new TreeMap<>(OsRelease.read(root, PATH).fields()));
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
