package dev.kairos.factory.oci.internal.sign;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.oci.internal.image.Json;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The payload cosign signs for an image (Red Hat's "simple signing" format as sigstore's
 * {@code pkg/signature/payload} writes it): {@code critical.identity.docker-reference},
 * {@code critical.image.docker-manifest-digest}, {@code critical.type}, and {@code optional}
 * (null, or a map of strings given with {@code -a key=value}).
 */
public record SimpleSigning(String dockerReference, String manifestDigest, Map<String, String> optional) {
  /** The layer media type of such a payload in a signature image. */
  public static final String MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
  /** {@code critical.type} of an image signature. */
  public static final String TYPE = "cosign container image signature";

  public SimpleSigning {
    optional = Map.copyOf(optional);
  }

  /** The payload's bytes, key order as cosign writes them. */
  public byte[] bytes() {
    ObjectNode root = Json.object();
    ObjectNode critical = root.putObject("critical");
    critical.putObject("identity").put("docker-reference", dockerReference);
    critical.putObject("image").put("docker-manifest-digest", manifestDigest);
    critical.put("type", TYPE);
    if (optional.isEmpty()) {
      root.putNull("optional");
    } else {
      ObjectNode o = root.putObject("optional");
      optional.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> o.put(e.getKey(), e.getValue()));
    }
    return Json.bytes(root);
  }

  /**
   * Reads a payload.
   *
   * @throws InvalidInputException if it is not JSON, lacks the critical fields, or is not of {@link #TYPE}
   */
  public static SimpleSigning parse(byte[] json, String source) throws InvalidInputException {
    ObjectNode root = Json.parse(json, source);
    JsonNode critical = root.path("critical");
    String type = critical.path("type").asString("");
    if (!TYPE.equals(type)) {
      throw new InvalidInputException(source, "critical.type is '" + type + "', expected '" + TYPE + "'");
    }
    String digest = critical.path("image").path("docker-manifest-digest").asString("");
    if (digest.isEmpty()) {
      throw new InvalidInputException(source, "critical.image.docker-manifest-digest is missing");
    }
    String ref = critical.path("identity").path("docker-reference").asString("");
    Map<String, String> optional = new java.util.TreeMap<>();
    JsonNode o = root.path("optional");
    if (o.isObject()) {
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        optional.put(e.getKey(), e.getValue().isString() ? e.getValue().asString() : e.getValue().toString());
      }
    }
    return new SimpleSigning(ref, digest, optional);
  }
}
