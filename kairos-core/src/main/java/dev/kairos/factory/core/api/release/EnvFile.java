package dev.kairos.factory.core.api.release;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@code KEY=value} format of {@code /etc/os-release} and {@code /etc/kairos-release}, read
 * and written as kairos-init does (godotenv rules).
 *
 * <p>Reading: blank lines and {@code #} comments are skipped, an {@code export } prefix is
 * dropped, values may be double-quoted (with {@code \n \r \\ \" \$} escapes), single-quoted
 * (literal) or bare (trimmed, a {@code " #"} starts a comment). Writing: every key sorted by
 * byte order, {@code KEY="value"} with {@code \ " ! $ `} and line breaks escaped, except values
 * that are whole integers, which are written bare; one key per line and a final newline.
 *
 * <pre>{@code
 * Map<String, String> osRelease = EnvFile.parse(root.readString(ImagePath.of("/etc/os-release")));
 * String text = EnvFile.format(Map.of("KAIROS_VERSION", "v1.0.0", "KAIROS_FLAVOR_RELEASE", "12"));
 * // KAIROS_FLAVOR_RELEASE=12
 * // KAIROS_VERSION="v1.0.0"
 * }</pre>
 */
public final class EnvFile {
  private static final String ESCAPED = "\\\n\r\"!$`";

  private EnvFile() {}

  /**
   * Parses {@code text}; a later key wins over an earlier one. Lines that are not assignments
   * are ignored, as the tools that read these files do.
   */
  public static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    int pos = 0;
    while (pos < text.length()) {
      int eol = lineEnd(text, pos);
      String line = text.substring(pos, eol).strip();
      if (line.startsWith("export ")) {
        line = line.substring("export ".length()).stripLeading();
      }
      int eq = line.indexOf('=');
      if (line.isEmpty() || line.startsWith("#") || eq <= 0) {
        pos = eol + 1;
        continue;
      }
      String key = line.substring(0, eq).strip();
      int valueStart = text.indexOf('=', pos) + 1;
      while (valueStart < eol && (text.charAt(valueStart) == ' ' || text.charAt(valueStart) == '\t')) {
        valueStart++;
      }
      char first = valueStart < text.length() ? text.charAt(valueStart) : '\n';
      int close = first == '"' || first == '\'' ? closingQuote(text, valueStart, first) : -1;
      if (close > 0) {
        // a quoted value may span lines; the rest of its closing line is ignored
        String raw = text.substring(valueStart + 1, close);
        out.put(key, first == '"' ? unescape(raw) : raw);
        pos = lineEnd(text, close) + 1;
        continue;
      }
      String value = text.substring(valueStart, eol);
      int comment = value.indexOf(" #");
      out.put(key, (comment >= 0 ? value.substring(0, comment) : value).strip());
      pos = eol + 1;
    }
    return out;
  }

  private static int lineEnd(String text, int from) {
    int eol = text.indexOf('\n', from);
    return eol < 0 ? text.length() : eol;
  }

  private static int closingQuote(String s, int open, char q) {
    for (int j = open + 1; j < s.length(); j++) {
      char c = s.charAt(j);
      if (c == '\\' && q == '"') {
        j++;
      } else if (c == q) {
        return j;
      }
    }
    return -1;
  }

  private static String unescape(String raw) {
    StringBuilder b = new StringBuilder(raw.length());
    for (int j = 0; j < raw.length(); j++) {
      char c = raw.charAt(j);
      if (c == '\\' && j + 1 < raw.length()) {
        char e = raw.charAt(++j);
        b.append(e == 'n' ? '\n' : e == 'r' ? '\r' : e);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

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
