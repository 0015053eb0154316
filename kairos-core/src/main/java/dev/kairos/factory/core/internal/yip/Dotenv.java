package dev.kairos.factory.core.internal.yip;

import java.util.TreeMap;

/**
 * Reads an environment file as yip's dotenv parser does: comments and blank lines dropped,
 * {@code export} prefixes, single quotes (literal), double quotes (with {@code \n}, {@code \"},
 * {@code \\} escapes) and bare values (a {@code #} after a space starts a comment).
 */
final class Dotenv {
  private Dotenv() {}

  static TreeMap<String, String> parse(String text) {
    TreeMap<String, String> out = new TreeMap<>();
    for (String raw : text.split("\n")) {
      String l = raw.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (l.startsWith("export ")) {
        l = l.substring(7).strip();
      }
      int eq = l.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = l.substring(0, eq).strip();
      String v = l.substring(eq + 1).strip();
      if (v.startsWith("'") && v.lastIndexOf('\'') > 0) {
        v = v.substring(1, v.lastIndexOf('\''));
      } else if (v.startsWith("\"") && v.lastIndexOf('"') > 0) {
        String inner = v.substring(1, v.lastIndexOf('"'));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < inner.length(); i++) {
          char c = inner.charAt(i);
          if (c == '\\' && i + 1 < inner.length()) {
            char n = inner.charAt(++i);
            b.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
          } else {
            b.append(c);
          }
        }
        v = b.toString();
      } else {
        int hash = v.indexOf(" #");
        if (hash >= 0) {
          v = v.substring(0, hash).strip();
        }
      }
      out.put(key, v);
    }
    return out;
  }
}
