package dev.kairos.factory.oci.api;

import dev.kairos.factory.core.api.ImageText;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.distro.OsRelease;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.release.KairosRelease;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The names Kairos gives to the images and artifacts of one build, computed from the image's
 * {@code /etc/kairos-release} as the Kairos SDK's versioneer does:
 *
 * <ul>
 *   <li>tag: {@code <flavor_release>-<variant>-<arch>-<model>-<version>[-<prefix><software>]},
 *       every {@code +} turned into {@code -} (tags cannot hold {@code +});
 *   <li>bootable artifact (ISO base name): {@code kairos-<flavor>-<same>}, keeping {@code +};
 *   <li>container: {@code <registry_and_org>/<flavor>:<tag>}; base tag
 *       {@code <flavor_release>-<arch>-<model>}.
 * </ul>
 *
 * <pre>{@code
 * KairosArtifactName n = KairosArtifactName.from(rootFs);
 * n.tag();                              // "24.04-core-amd64-generic-v1.0.0"
 * n.bootableName();                     // "kairos-ubuntu-24.04-core-amd64-generic-v1.0.0"
 * n.container("quay.io/kairos");        // quay.io/kairos/ubuntu:24.04-core-amd64-generic-v1.0.0
 * n.in("registry.example.com/me/os");   // registry.example.com/me/os:24.04-core-amd64-generic-v1.0.0
 * }</pre>
 *
 * <p>Each value is read from {@code KAIROS_<KEY>}, then from the unprefixed {@code <KEY>}; keys
 * missing from kairos-release are looked up in {@code /etc/os-release}. The architecture is
 * {@code TARGETARCH}, else {@code ARCH}; the version is {@code RELEASE}, else {@code VERSION}.
 * A value that could not stand in a file name or a tag (one holding {@code /}, {@code \},
 * {@code ..}, white space or a control character) is refused, so a hostile release file cannot
 * turn a name into a path such as {@code kairos-../../../etc/...}.
 */
public final class KairosArtifactName {
  private static final String RELEASE_FILE = KairosRelease.PATH.toString();

  private final String flavor;
  private final String flavorRelease;
  private final String variant;
  private final String arch;
  private final String model;
  private final String version;
  private final String softwareVersion;
  private final String softwarePrefix;

  private KairosArtifactName(Map<String, String> keys) throws InvalidInputException {
    this.flavor = value(keys, "FLAVOR");
    this.flavorRelease = value(keys, "FLAVOR_RELEASE");
    this.variant = value(keys, "VARIANT");
    this.arch = value(keys, "TARGETARCH").isEmpty() ? value(keys, "ARCH") : value(keys, "TARGETARCH");
    this.model = value(keys, "MODEL");
    this.version = value(keys, "RELEASE").isEmpty() ? value(keys, "VERSION") : value(keys, "RELEASE");
    this.softwareVersion = value(keys, "SOFTWARE_VERSION");
    this.softwarePrefix = value(keys, "SOFTWARE_VERSION_PREFIX");
    for (String[] required : new String[][] {
        {"FLAVOR", flavor}, {"FLAVOR_RELEASE", flavorRelease}, {"VARIANT", variant},
        {"TARGETARCH", arch}, {"MODEL", model}, {"RELEASE", version}}) {
      if (required[1].isEmpty()) {
        throw new InvalidInputException(RELEASE_FILE, "KAIROS_" + required[0] + " is missing or empty");
      }
      checkNamePart(required[0], required[1]);
    }
    checkNamePart("SOFTWARE_VERSION", softwareVersion);
    checkNamePart("SOFTWARE_VERSION_PREFIX", softwarePrefix);
    if (!softwareVersion.isEmpty() && softwarePrefix.isEmpty()) {
      throw new InvalidInputException(RELEASE_FILE,
          "KAIROS_SOFTWARE_VERSION " + ImageText.quote(softwareVersion) + " needs KAIROS_SOFTWARE_VERSION_PREFIX");
    }
  }

  /** Refuses a value that would make the name a path, or unprintable. */
  private static void checkNamePart(String key, String value) throws InvalidInputException {
    String bad = value.contains("..") ? "'..'"
        : value.contains("/") ? "'/'"
        : value.contains("\\") ? "a backslash"
        : value.chars().anyMatch(Character::isWhitespace) || ImageText.hasControlCharacters(value)
            ? "white space or a control character" : null;
    if (bad != null) {
      throw new InvalidInputException(RELEASE_FILE, "KAIROS_" + key + " " + ImageText.quote(value)
          + " cannot be part of an artifact name: it holds " + bad);
    }
  }

  private static String value(Map<String, String> keys, String key) {
    String v = keys.get("KAIROS_" + key);
    if (v == null || v.isEmpty()) {
      v = keys.get(key);
    }
    return v == null ? "" : v.strip();
  }

  /**
   * The names for the keys of a kairos-release file (with os-release keys as a fallback, already
   * merged in by the caller if wanted).
   *
   * @throws InvalidInputException if a key the names need is missing
   */
  public static KairosArtifactName fromRelease(Map<String, String> keys) throws InvalidInputException {
    return new KairosArtifactName(Map.copyOf(keys));
  }

  /** The names for the image in {@code root}: its {@code /etc/kairos-release}, falling back to {@code /etc/os-release}. */
  public static KairosArtifactName from(RootFs root) throws IOException {
    SortedMap<String, String> keys = new TreeMap<>();
    if (root.isRegularFile(OsRelease.ETC_OS_RELEASE)) {
      keys.putAll(OsRelease.read(root, OsRelease.ETC_OS_RELEASE).fields());
    }
    if (!root.isRegularFile(KairosRelease.PATH)) {
      throw new InvalidInputException(RELEASE_FILE, "not found in the image; is it a Kairos image?");
    }
    keys.putAll(KairosRelease.read(root));
    return fromRelease(keys);
  }

  private String common() {
    return flavorRelease + "-" + variant + "-" + arch + "-" + model;
  }

  private String versioned() {
    return common() + "-" + version + (softwareVersion.isEmpty() ? "" : "-" + softwarePrefix + softwareVersion);
  }

  /** The image tag (versioneer's image label): the versioned name with {@code +} turned into {@code -}. */
  public String tag() {
    return versioned().replace('+', '-');
  }

  /** The base name of bootable artifacts (ISO, raw disk): {@code kairos-<flavor>-<versioned>}, {@code +} kept. */
  public String bootableName() {
    return "kairos-" + flavor + "-" + versioned();
  }

  /** The tag of the base container: {@code <flavor_release>-<arch>-<model>}. */
  public String baseTag() {
    return flavorRelease + "-" + arch + "-" + model;
  }

  /** The Kairos container name: {@code <registryAndOrg>/<flavor>:<tag>}, such as {@code quay.io/kairos/ubuntu:24.04-…}. */
  public ImageReference container(String registryAndOrg) throws InvalidInputException {
    return ImageReference.parse(strip(registryAndOrg) + "/" + flavor + ":" + tag());
  }

  /** {@code repository} (with its registry) tagged with {@link #tag()}. */
  public ImageReference in(String repository) throws InvalidInputException {
    return ImageReference.parse(strip(repository) + ":" + tag());
  }

  private static String strip(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** The distribution flavor, e.g. {@code ubuntu} ({@code KAIROS_FLAVOR}). */
  public String flavor() {
    return flavor;
  }

  /** The flavor's release, e.g. {@code 24.04} ({@code KAIROS_FLAVOR_RELEASE}). */
  public String flavorRelease() {
    return flavorRelease;
  }

  /** The variant, {@code core} or {@code standard} ({@code KAIROS_VARIANT}). */
  public String variant() {
    return variant;
  }

  /** The target architecture, e.g. {@code amd64} ({@code KAIROS_TARGETARCH}, else {@code KAIROS_ARCH}). */
  public String arch() {
    return arch;
  }

  /** The board model, e.g. {@code generic} ({@code KAIROS_MODEL}). */
  public String model() {
    return model;
  }

  /** The Kairos version, e.g. {@code v1.0.0} ({@code KAIROS_RELEASE}, else {@code KAIROS_VERSION}). */
  public String version() {
    return version;
  }

  /** The provider's software version (such as {@code v1.32.1+k3s1}) of a standard image. */
  public Optional<String> softwareVersion() {
    return softwareVersion.isEmpty() ? Optional.empty() : Optional.of(softwareVersion);
  }

  @Override
  public String toString() {
    return bootableName();
  }
}
