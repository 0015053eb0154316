package dev.kairos.factory.oci.api;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.oci.internal.image.Platform;
import java.util.Objects;
import java.util.Optional;

/**
 * One image of a multi-platform index written by {@link OciTarget#writeIndex}: either an image
 * built here for a platform, or an image manifest the target already holds (pushed or written
 * earlier, named by tag or digest; its platform is read from its config). Immutable.
 *
 * <pre>{@code
 * target.writeIndex(List.of(
 *     PlatformImage.of("linux/amd64", amd64Build),
 *     PlatformImage.of("linux/arm64", arm64Build)), events);
 * // or, combining images pushed before as …:v1-amd64 and …:v1-arm64:
 * target.writeIndex(List.of(PlatformImage.existing("v1-amd64"), PlatformImage.existing("v1-arm64")), events);
 * }</pre>
 */
public final class PlatformImage {
  private final BuiltImage image;
  private final Platform platform;
  private final String existing;

  private PlatformImage(BuiltImage image, Platform platform, String existing) {
    this.image = image;
    this.platform = platform;
    this.existing = existing;
  }

  /**
   * {@code image} as the image of {@code osArchVariant}, such as {@code linux/arm64} or
   * {@code linux/arm/v7}; that platform is also written into its config.
   *
   * @throws InvalidInputException if the platform is malformed
   */
  public static PlatformImage of(String osArchVariant, BuiltImage image) throws InvalidInputException {
    return new PlatformImage(Objects.requireNonNull(image, "image"), Platform.parse(osArchVariant), null);
  }

  /**
   * {@code image} with the platform a single image would get: that of {@link OciTarget#withPlatform}
   * if set, else its base image's, else its {@code KAIROS_TARGETARCH}, else this machine's.
   */
  public static PlatformImage of(BuiltImage image) {
    return new PlatformImage(Objects.requireNonNull(image, "image"), null, null);
  }

  /**
   * The image manifest the target already holds under {@code tagOrDigest} ({@code v1-arm64} or
   * {@code sha256:…}): in the target's repository, or in its layout. Not for an archive target.
   */
  public static PlatformImage existing(String tagOrDigest) {
    if (tagOrDigest == null || !tagOrDigest.matches("sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
      throw new IllegalArgumentException("not a tag or a sha256 digest: " + tagOrDigest);
    }
    return new PlatformImage(null, null, tagOrDigest);
  }

  Optional<BuiltImage> image() {
    return Optional.ofNullable(image);
  }

  Optional<Platform> platform() {
    return Optional.ofNullable(platform);
  }

  Optional<String> existing() {
    return Optional.ofNullable(existing);
  }

  @Override
  public String toString() {
    return existing != null ? "existing " + existing : (platform != null ? platform + " " : "") + "built image";
  }
}
