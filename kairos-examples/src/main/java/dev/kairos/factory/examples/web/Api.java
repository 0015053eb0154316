package dev.kairos.factory.examples.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The API's JSON: one mapper, and the shape of an error. */
final class Api {
  /** Reads strictly (a duplicate key is an error) and writes compactly. */
  static final JsonMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private Api() {}

  static String json(Object value) {
    return JSON.writeValueAsString(value);
  }

  /**
   * Parses a request body.
   *
   * @throws ApiError 400 naming where the JSON breaks
   */
  static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      throw new ApiError(400, "empty body: expected a JSON object", List.of(Finding.at("$", "empty body")));
    }
    try {
      return JSON.readTree(body);
    } catch (tools.jackson.core.JacksonException e) {
      var at = e.getLocation();
      String message = e.getOriginalMessage();
      Finding f = at == null ? Finding.at("$", message)
          : new Finding("$", (int) at.getLineNr(), (int) at.getColumnNr(), message);
      throw new ApiError(400, "malformed JSON: " + message, List.of(f));
    }
  }

  /** {@code {"error": message, "findings": [...]}}. */
  static Map<String, Object> error(String message, List<Finding> findings) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", message);
    m.put("findings", findings);
    return m;
  }
}
