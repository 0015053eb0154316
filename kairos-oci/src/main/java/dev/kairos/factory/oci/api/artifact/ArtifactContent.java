package dev.kairos.factory.oci.api.artifact;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One file to put into an artifact: a file on disk, or bytes made in memory (a provenance
 * statement) under a name. Immutable.
 *
 * <pre>{@code
 * ArtifactContent iso = ArtifactContent.file(Path.of("out/kairos.iso"));
 * ArtifactContent sbom = ArtifactContent.file(Path.of("out/sbom.cdx.json"), "application/vnd.cyclonedx+json");
 * ArtifactContent statement = ArtifactContent.bytes("provenance.intoto.json", KairosArtifactTypes.IN_TOTO, json);
 * }</pre>
 */
public final class ArtifactContent {
  private final String name;
  private final String mediaType;
  private final Path file;
  private final byte[] bytes;

  private ArtifactContent(String name, String mediaType, Path file, byte[] bytes) {
    this.name = name;
    this.mediaType = mediaType;
    this.file = file;
    this.bytes = bytes;
  }

  /**
   * A regular file, named by its file name, as {@code application/octet-stream}.
   *
   * @throws IllegalArgumentException if it is not a regular file
   */
  public static ArtifactContent file(Path file) {
    return file(file, KairosArtifactTypes.OCTET_STREAM);
  }

  /**
   * A regular file, named by its file name, with the media type of its bytes.
   *
   * @throws IllegalArgumentException if it is not a regular file
   */
  public static ArtifactContent file(Path file, String mediaType) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("not a regular file: " + file);
    }
    return new ArtifactContent(file.getFileName().toString(), Objects.requireNonNull(mediaType, "mediaType"), file,
        null);
  }

  /** Bytes made in memory, pushed under {@code name} (copied). */
  public static ArtifactContent bytes(String name, String mediaType, byte[] content) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.contains("/")) {
      throw new IllegalArgumentException("a file name without a directory is needed: '" + name + "'");
    }
    return new ArtifactContent(name, Objects.requireNonNull(mediaType, "mediaType"), null, content.clone());
  }

  /** The name it gets in the artifact. */
  public String name() {
    return name;
  }

  /** The media type of its bytes. */
  public String mediaType() {
    return mediaType;
  }

  /** The file, if it is one. */
  public Optional<Path> path() {
    return Optional.ofNullable(file);
  }

  /** The bytes, if they were given in memory (a copy). */
  public Optional<byte[]> content() {
    return bytes == null ? Optional.empty() : Optional.of(bytes.clone());
  }

  @Override
  public String toString() {
    return name + " (" + mediaType + ")";
  }
}
