package dev.kairos.factory.oci.internal.image;

import dev.kairos.factory.core.api.ImageText;
import dev.kairos.factory.core.api.InvalidInputException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** An OCI content descriptor: media type, digest, size, annotations and, in an index, a platform. */
public record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations,
    Optional<Platform> platform) {
  private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    annotations = Map.copyOf(annotations);
    Objects.requireNonNull(platform, "platform");
  }

  public Descriptor(String mediaType, String digest, long size) {
    this(mediaType, digest, size, Map.of(), Optional.empty());
  }

  /** The hex part of a sha256 digest. */
  public String hex() {
    return digest.substring(digest.indexOf(':') + 1);
  }

  public Descriptor withMediaType(String type) {
    return new Descriptor(type, digest, size, annotations, platform);
  }

  public Descriptor withAnnotations(Map<String, String> a) {
    return new Descriptor(mediaType, digest, size, a, platform);
  }

  public Descriptor withPlatform(Platform p) {
    return new Descriptor(mediaType, digest, size, annotations, Optional.of(p));
  }

  /** Reads a descriptor; only sha256 digests are accepted, so that they can name files safely. */
  public static Descriptor parse(JsonNode n, String source) throws InvalidInputException {
    String mediaType = n.path("mediaType").asString("");
    String digest = n.path("digest").asString("");
    if (!SHA256.matcher(digest).matches()) {
      throw new InvalidInputException(source, "descriptor digest " + ImageText.quote(digest) + " is not a sha256 digest");
    }
    long size = n.path("size").asLong(-1);
    if (size < 0) {
      throw new InvalidInputException(source, "descriptor of " + digest + " has no valid size");
    }
    Map<String, String> annotations = new TreeMap<>();
    JsonNode a = n.path("annotations");
    if (a.isObject()) {
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        annotations.put(e.getKey(), e.getValue().asString(""));
      }
    }
    Optional<Platform> platform = n.has("platform") ? Optional.of(Platform.parse(n.get("platform"))) : Optional.empty();
    return new Descriptor(mediaType, digest, size, annotations, platform);
  }

  /** Writes this descriptor into {@code n} in the conventional key order. */
  public ObjectNode writeTo(ObjectNode n) {
    n.put("mediaType", mediaType);
    n.put("digest", digest);
    n.put("size", size);
    if (!annotations.isEmpty()) {
      ObjectNode a = n.putObject("annotations");
      new TreeMap<>(annotations).forEach(a::put);
    }
    platform.ifPresent(p -> p.writeTo(n.putObject("platform")));
    return n;
  }
}
