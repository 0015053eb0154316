package dev.kairos.factory.core.api.release;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes the {@code KEY=value} format of {@code /etc/kairos-release} (and of yip's
 * {@code environment_file}s) as kairos-init does, after godotenv's rules: every key sorted by
 * byte order, {@code KEY="value"} with {@code \ " ! $ `} and line breaks escaped, except values
 * that are whole integers, which are written bare; one key per line and a final newline.
 *
 * <pre>{@code
 * String text = EnvFile.format(Map.of("KAIROS_VERSION", "v1.0.0", "KAIROS_FLAVOR_RELEASE", "12"));
 * // KAIROS_FLAVOR_RELEASE=12
 * // KAIROS_VERSION="v1.0.0"
 * }</pre>
 */
public final class EnvFile {
  private static final String ESCAPED = "\\\n\r\"!$`";

  private EnvFile() {}

  /** Writes {@code values} sorted by key, one {@code KEY=value} line each, with a final newline. */
  public static String format(Map<String, String> values) {
    SortedMap<String, String> sorted = new TreeMap<>(EnvFile::compareBytes);
    sorted.putAll(values);
    StringBuilder b = new StringBuilder();
    sorted.forEach((k, v) -> {
      if (k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("not a valid key: '" + k + "'");
      }
      b.append(k).append('=').append(formatValue(v)).append('\n');
    });
    return b.toString();
  }

  private static String formatValue(String v) {
    // godotenv writes a value that parses as a whole integer bare, re-rendered as that integer
    if (v.matches("[+-]?[0-9]{1,18}")) {
      return Long.toString(Long.parseLong(v));
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : v.toCharArray()) {
      if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else {
        if (ESCAPED.indexOf(c) >= 0) {
          b.append('\\');
        }
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** Orders keys by their UTF-8 bytes, as Go's sort does. */
  static int compareBytes(String a, String b) {
    return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
