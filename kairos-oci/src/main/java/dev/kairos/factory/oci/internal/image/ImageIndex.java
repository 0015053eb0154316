package dev.kairos.factory.oci.internal.image;

import dev.kairos.factory.core.api.ImageText;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.SourceDate;
import java.io.IOException;
import java.io.InputStream;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes a multi-platform OCI image index from per-platform manifests. The manifests are sorted by
 * platform and the only annotation is the creation time (the source date), so the same manifests
 * give the same index bytes whatever order they were built in.
 */
public final class ImageIndex {
  /** The OCI annotation for when an image was built. */
  public static final String CREATED = "org.opencontainers.image.created";
  private static final int MAX_JSON = 4 << 20;
  private static final Comparator<Platform> ORDER = Comparator.comparing(Platform::os)
      .thenComparing(Platform::architecture).thenComparing(Platform::variant);

  private ImageIndex() {}

  /**
   * The index bytes for {@code manifests}, each of which must carry its platform; platforms are
   * checked as {@link #checkPlatforms} does.
   */
  public static byte[] json(List<Descriptor> manifests, SourceDate created) throws InvalidInputException {
    checkPlatforms(manifests.stream()
        .map(d -> d.platform().orElseThrow(() -> new IllegalArgumentException("index entry without platform: " + d)))
        .toList());
    List<Descriptor> sorted = new ArrayList<>(manifests);
    sorted.sort(Comparator.comparing(d -> d.platform().orElseThrow(), ORDER));
    ObjectNode root = Json.object();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode list = root.putArray("manifests");
    for (Descriptor d : sorted) {
      d.writeTo(list.addObject());
    }
    root.putObject("annotations").put(CREATED, DateTimeFormatter.ISO_INSTANT.format(created.instant()));
    return Json.bytes(root);
  }

  /**
   * Refuses an empty list and a platform that appears twice; {@code linux/arm64} and
   * {@code linux/arm64/v8} count as the same, since a client asking for one takes either.
   */
  public static void checkPlatforms(List<Platform> platforms) throws InvalidInputException {
    if (platforms.isEmpty()) {
      throw new InvalidInputException("image index", "an index needs at least one image");
    }
    Map<String, Platform> seen = new HashMap<>();
    for (Platform p : platforms) {
      Platform other = seen.put(sameAs(p), p);
      if (other != null) {
        throw new InvalidInputException("image index", "two images for platform " + p
            + (other.equals(p) ? "" : " (and " + other + ", the same platform)") + "; each platform may appear once");
      }
    }
  }

  // arm64 without a variant is v8 (the containerd convention Platform.accepts follows too).
  private static String sameAs(Platform p) {
    String variant = p.architecture().equals("arm64") && p.variant().isEmpty() ? "v8" : p.variant();
    return p.os() + "/" + p.architecture() + "/" + variant;
  }

  /**
   * The descriptor of an image manifest already stored somewhere, with the platform its config
   * declares. {@code json} is the manifest as read (digest-checked by the caller); its config is
   * read from {@code blobs} and verified.
   */
  public static Descriptor describe(Descriptor manifest, byte[] json, BlobSource blobs, String source)
      throws IOException {
    ObjectNode doc = Json.parse(json, source);
    String type = doc.path("mediaType").asString(manifest.mediaType());
    if (MediaTypes.isIndex(type) || doc.has("manifests")) {
      throw new InvalidInputException(source, "is an image index; an index entry must be a single-platform image");
    }
    if (!MediaTypes.isManifest(type)) {
      throw new InvalidInputException(source, "media type " + ImageText.quote(type) + " is not an image manifest");
    }
    Descriptor configDesc = Descriptor.parse(doc.path("config"), source + " config");
    ObjectNode config;
    try (InputStream in = blobs.open(configDesc)) {
      config = Json.parse(VerifyingInputStream.readAll(in, configDesc, source, MAX_JSON), source + " config");
    }
    JsonNode arch = config.path("architecture");
    if (!arch.isString() || arch.asString().isEmpty()) {
      throw new InvalidInputException(source, "its config names no architecture, so it cannot go into an index");
    }
    Platform p = Platform.parse(config);
    return new Descriptor(type, manifest.digest(), manifest.size(), Map.of(), java.util.Optional.of(p));
  }
}
