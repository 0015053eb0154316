package dev.kairos.factory.oci.internal;

import dev.kairos.factory.core.api.InvalidInputException;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads {@code KEY=value} files such as {@code /etc/os-release} and {@code /etc/kairos-release}:
 * comments and blank lines are skipped, a value may be double- or single-quoted, and inside double
 * quotes a backslash escapes the next character.
 */
public final class EnvFile {
  private EnvFile() {}

  /** Parses {@code text}; {@code source} names the file in error messages. */
  public static SortedMap<String, String> parse(String source, String text) throws InvalidInputException {
    SortedMap<String, String> out = new TreeMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring(7).strip();
      }
      int eq = line.indexOf('=');
      if (eq <= 0 || !line.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new InvalidInputException(source, i + 1, 1, "expected KEY=value, got '" + lines[i] + "'");
      }
      out.put(line.substring(0, eq), unquote(source, i + 1, eq + 2, line.substring(eq + 1)));
    }
    return out;
  }

  private static String unquote(String source, int line, int col, String v) throws InvalidInputException {
    if (v.isEmpty()) {
      return v;
    }
    char q = v.charAt(0);
    if (q != '"' && q != '\'') {
      return v;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == q) {
        if (i != v.length() - 1) {
          throw new InvalidInputException(source, line, col + i, "text after the closing quote");
        }
        return b.toString();
      }
      if (c == '\\' && q == '"' && i + 1 < v.length()) {
        c = v.charAt(++i);
      }
      b.append(c);
    }
    throw new InvalidInputException(source, line, col, "unterminated quoted value");
  }
}
