package dev.kairos.factory.distros.api.sbom;

import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.distros.internal.sbom.CycloneDxWriter;
import dev.kairos.factory.distros.internal.sbom.SbomReader;
import dev.kairos.factory.distros.internal.sbom.SpdxWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The bill of materials of one image: its name and version, the source date, and what is
 * installed in it, read from its own package database.
 *
 * <pre>{@code
 * RootFs root = RootFs.at(Path.of("work/rootfs"));
 * Sbom sbom = Sbom.read(root, SourceDate.fromEnvironment());   // dpkg, apk, rpm or pacman
 * sbom.packages().size();                                        // as many as dpkg-query -W lists
 * sbom.write(SbomFormat.CYCLONEDX, Path.of("out/image.cdx.json"));
 * sbom.write(SbomFormat.SPDX, Path.of("out/image.spdx.json"));
 * }</pre>
 *
 * <p>Same root and same {@code created} give the same bytes in both formats.
 */
public final class Sbom {
  private final String name;
  private final String version;
  private final Instant created;
  private final List<SbomComponent> components;

  private Sbom(String name, String version, Instant created, List<SbomComponent> components) {
    this.name = name;
    this.version = version;
    this.created = created;
    this.components = components;
  }

  /**
   * Reads the package databases, {@code /etc/kairos-release} and {@code /lib/modules} of
   * {@code root}. The image is named by {@code KAIROS_NAME} and {@code KAIROS_VERSION}, or by
   * os-release's {@code ID-VERSION_ID} without them.
   *
   * @param created the source date: the bill's only timestamp, and part of its identity
   * @throws dev.kairos.factory.core.api.InvalidInputException if a database is malformed or
   *     past a bound, naming the file
   */
  public static Sbom read(RootFs root, Instant created) throws IOException {
    Objects.requireNonNull(created, "created");
    SbomReader.Contents c = SbomReader.read(root);
    return new Sbom(c.name(), c.version(), created, c.components());
  }

  /** A bill made of given parts (components are sorted by purl; purls must be unique). */
  public static Sbom of(String name, String version, Instant created, List<SbomComponent> components) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(created, "created");
    List<SbomComponent> sorted = components.stream().sorted(java.util.Comparator.comparing(SbomComponent::purl)).toList();
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).purl().equals(sorted.get(i - 1).purl())) {
        throw new IllegalArgumentException("two components with the purl " + sorted.get(i).purl());
      }
    }
    return new Sbom(name, version, created, sorted);
  }

  /** The image's name, e.g. {@code kairos-core-debian-12-v1.0.0} or {@code debian-12}. */
  public String name() {
    return name;
  }

  /** The image's version, e.g. {@code v1.0.0}. */
  public String version() {
    return version;
  }

  /** The source date the bill carries. */
  public Instant created() {
    return created;
  }

  /** Everything in the image, sorted by purl: packages, Kairos and its provider, kernels. */
  public List<SbomComponent> components() {
    return components;
  }

  /** Only the components read from a package database, sorted by purl. */
  public List<SbomComponent> packages() {
    return components.stream().filter(c -> c.kind().isPackage()).toList();
  }

  /**
   * The bill's identity, a name-based UUID of the image's name, version, source date and
   * component purls: the CycloneDX serial number and the tail of the SPDX namespace.
   */
  public UUID uuid() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update((name + "\n" + version + "\n" + created + "\n").getBytes(StandardCharsets.UTF_8));
      for (SbomComponent c : components) {
        md.update((c.purl() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      byte[] h = md.digest();
      h[6] = (byte) ((h[6] & 0x0f) | 0x50); // version 5 layout, with SHA-256 bytes
      h[8] = (byte) ((h[8] & 0x3f) | 0x80);
      long hi = 0;
      long lo = 0;
      for (int i = 0; i < 8; i++) {
        hi = (hi << 8) | (h[i] & 0xff);
        lo = (lo << 8) | (h[i + 8] & 0xff);
      }
      return new UUID(hi, lo);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The {@code bom-ref} of the image itself in a CycloneDX bill. */
  public String rootRef() {
    return "image:" + name + "@" + version;
  }

  /** The bill as {@code format} JSON. */
  public byte[] toBytes(SbomFormat format) throws IOException {
    return switch (format) {
      case CYCLONEDX -> CycloneDxWriter.write(this);
      case SPDX -> SpdxWriter.write(this);
    };
  }

  /** Writes the bill as {@code format} to {@code file}, whole or not at all; returns the file. */
  public Path write(SbomFormat format, Path file) throws IOException {
    byte[] bytes = toBytes(format);
    return AtomicFile.write(file, tmp -> Files.write(tmp, bytes));
  }

  /** The file name of this bill in {@code format}, e.g. {@code NAME.cdx.json}. */
  public String fileName(SbomFormat format) {
    return name.replaceAll("[^A-Za-z0-9._+-]", "_") + "." + format.extension();
  }

  /** The image name and the number of components. */
  @Override
  public String toString() {
    return "Sbom[" + name + " " + version + ", " + components.size() + " components]";
  }
}
