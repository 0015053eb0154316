package dev.kairos.factory.oci.internal.image;

import dev.kairos.factory.core.api.InvalidInputException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** JSON in and out; output is compact and keeps insertion order, so the same document gives the same bytes. */
public final class Json {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static byte[] bytes(JsonNode n) {
    return MAPPER.writeValueAsBytes(n);
  }

  /** Parses any JSON value (such as the array of a docker archive's manifest.json). */
  public static JsonNode parseAny(byte[] data, String source) throws InvalidInputException {
    try {
      return MAPPER.readTree(data);
    } catch (JacksonException e) {
      throw new InvalidInputException(source, "malformed JSON: " + e.getOriginalMessage());
    }
  }

  /** Parses a JSON object; {@code source} names the document in errors. */
  public static ObjectNode parse(byte[] data, String source) throws InvalidInputException {
    try {
      JsonNode n = MAPPER.readTree(data);
      if (n == null || !n.isObject()) {
        throw new InvalidInputException(source, "expected a JSON object");
      }
      return (ObjectNode) n;
    } catch (JacksonException e) {
      throw new InvalidInputException(source, "malformed JSON: " + e.getOriginalMessage());
    }
  }
}
