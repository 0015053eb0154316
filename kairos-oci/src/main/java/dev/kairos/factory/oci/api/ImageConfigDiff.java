package dev.kairos.factory.oci.api;

import dev.kairos.factory.core.api.diff.Difference;
import dev.kairos.factory.oci.internal.image.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * What differs between two OCI image configs (the JSON a manifest's {@code config} names), field
 * by field: each leaf of the JSON is one field named by its path, e.g. {@code created},
 * {@code config.Entrypoint[0]}, {@code config.Labels.org.opencontainers.image.version},
 * {@code history[2].created_by}, {@code rootfs.diff_ids[1]}. Environment variables
 * ({@code config.Env}) are named by variable ({@code config.Env[PATH]}), so one variable added in
 * front does not show as every later one changed. A field on one side only has no value on the
 * other.
 *
 * <pre>{@code
 * for (Difference d : ImageConfigDiff.compare(configA, configB)) {
 *   System.out.println(d);   // config: created 2025-01-01T00:00:00Z -> 2025-01-02T00:00:00Z
 * }
 * }</pre>
 */
public final class ImageConfigDiff {
  /** Where the differences are placed, as {@code kairos-factory diff} prints them. */
  public static final String WHERE = "config";
  private static final Pattern ENV = Pattern.compile("([^=]+)=(.*)", Pattern.DOTALL);

  private ImageConfigDiff() {}

  /**
   * The differing fields of two configs, sorted by field.
   *
   * @param left the first config's JSON text
   * @param right the second config's JSON text
   * @throws dev.kairos.factory.core.api.InvalidInputException when either is not a JSON object
   */
  public static List<Difference> compare(String left, String right) throws java.io.IOException {
    Map<String, String> l = fields(left, "the first config");
    Map<String, String> r = fields(right, "the second config");
    TreeSet<String> names = new TreeSet<>(l.keySet());
    names.addAll(r.keySet());
    List<Difference> out = new ArrayList<>();
    for (String f : names) {
      if (!Objects.equals(l.get(f), r.get(f))) {
        out.add(Difference.of(WHERE, f, l.get(f), r.get(f)));
      }
    }
    return out;
  }

  /** Every leaf of a config, by its path. */
  static Map<String, String> fields(String json, String source) throws java.io.IOException {
    Map<String, String> out = new TreeMap<>();
    flatten("", Json.parse(json.getBytes(StandardCharsets.UTF_8), source), out);
    return out;
  }

  private static void flatten(String path, JsonNode n, Map<String, String> out) {
    if (n.isObject()) {
      if (n.isEmpty() && !path.isEmpty()) {
        out.put(path, "{}");
      }
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), out);
      }
    } else if (n.isArray()) {
      if (n.isEmpty()) {
        out.put(path, "[]");
      }
      boolean env = path.equals("config.Env");
      for (int i = 0; i < n.size(); i++) {
        JsonNode e = n.get(i);
        var m = env && e.isString() ? ENV.matcher(e.asString()) : null;
        if (m != null && m.matches()) {
          out.put(path + "[" + m.group(1) + "]", m.group(2));
        } else {
          flatten(path + "[" + i + "]", e, out);
        }
      }
    } else {
      out.put(path, n.isString() ? n.asString() : n.toString());
    }
  }
}
