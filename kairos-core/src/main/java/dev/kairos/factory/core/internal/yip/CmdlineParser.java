package dev.kairos.factory.core.internal.yip;

import dev.kairos.factory.core.api.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * yip's dot-notation input: a kernel command line such as
 * {@code console=tty1 stages.boot[0].commands[0]="echo hi"} becomes a document. Tokens are split
 * shell-style; each {@code key=value} assigns the string value at a path of dotted keys and
 * {@code [n]} indexes; a token without {@code =} assigns {@code "true"}. Every value is a string,
 * so an integer or boolean field set this way rejects the document, as in yip. Tokens are
 * applied in sorted key order (yip's order is random), malformed paths are skipped, and Kairos'
 * {@code kairos.config=}, {@code kairos.config_url=} and {@code cos.setup=} are ignored.
 */
public final class CmdlineParser {
  private CmdlineParser() {}

  /** The node tree of a command line; columns point at each token. */
  public static YamlNode parse(String source, String cmdline) throws InvalidInputException {
    TreeMap<String, int[]> order = new TreeMap<>();
    Map<String, String> values = new LinkedHashMap<>();
    for (Token t : split(source, cmdline)) {
      String text = t.text;
      if (text.startsWith("kairos.config=") || text.startsWith("kairos.config_url=") || text.startsWith("cos.setup=")) {
        continue;
      }
      int eq = text.indexOf('=');
      String key = eq < 0 ? text : text.substring(0, eq);
      String value = eq < 0 ? "true" : text.substring(eq + 1);
      if (path(key) == null) {
        continue;
      }
      order.put(key, new int[] {t.column});
      values.put(key, value);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : order.entrySet()) {
      assign(root, path(e.getKey()), new YamlNode.Scalar(values.get(e.getKey()), false, null, 1, e.getValue()[0]));
    }
    return toNode(root, 1);
  }

  private record Token(String text, int column) {}

  private static List<Token> split(String source, String s) throws InvalidInputException {
    List<Token> out = new ArrayList<>();
    StringBuilder cur = null;
    int start = 0;
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < s.length()) {
          cur.append(s.charAt(++i));
        } else {
          cur.append(c);
        }
        continue;
      }
      if (Character.isWhitespace(c)) {
        if (cur != null) {
          out.add(new Token(cur.toString(), start + 1));
          cur = null;
        }
        continue;
      }
      if (cur == null) {
        cur = new StringBuilder();
        start = i;
      }
      if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '\\' && i + 1 < s.length()) {
        cur.append(s.charAt(++i));
      } else {
        cur.append(c);
      }
    }
    if (quote != 0) {
      throw new InvalidInputException(source, 1, start + 1, "unterminated quote in command line");
    }
    if (cur != null) {
      out.add(new Token(cur.toString(), start + 1));
    }
    return out;
  }

  /** The path of a key: names (String) and indexes (Integer); null if malformed. */
  private static List<Object> path(String key) {
    List<Object> out = new ArrayList<>();
    for (String part : key.split("\\.", -1)) {
      int b = part.indexOf('[');
      String name = b < 0 ? part : part.substring(0, b);
      if (name.isEmpty()) {
        return null;
      }
      out.add(name);
      String rest = b < 0 ? "" : part.substring(b);
      while (!rest.isEmpty()) {
        int close = rest.indexOf(']');
        if (!rest.startsWith("[") || close < 2) {
          return null;
        }
        try {
          int idx = Integer.parseInt(rest.substring(1, close));
          if (idx < 0 || idx > 1000) {
            return null;
          }
          out.add(idx);
        } catch (NumberFormatException e) {
          return null;
        }
        rest = rest.substring(close + 1);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void assign(Object container, List<Object> path, YamlNode.Scalar value) {
    Object cur = container;
    for (int i = 0; i < path.size(); i++) {
      Object step = path.get(i);
      boolean last = i == path.size() - 1;
      Object next = last ? value : path.get(i + 1) instanceof Integer ? new ArrayList<>() : new LinkedHashMap<>();
      if (step instanceof String) {
        if (!(cur instanceof Map)) {
          return; // a path that conflicts with an earlier assignment is skipped
        }
        Map<String, Object> m = (Map<String, Object>) cur;
        Object have = m.get(step);
        if (last || have == null || have instanceof YamlNode.Scalar) {
          m.put((String) step, next);
          have = next;
        }
        cur = have;
      } else {
        if (!(cur instanceof List)) {
          return;
        }
        List<Object> l = (List<Object>) cur;
        int idx = (Integer) step;
        while (l.size() <= idx) {
          l.add(null);
        }
        Object have = l.get(idx);
        if (last || have == null || have instanceof YamlNode.Scalar) {
          l.set(idx, next);
          have = next;
        }
        cur = have;
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static YamlNode toNode(Object o, int col) {
    if (o == null) {
      return new YamlNode.Scalar("", true, null, 1, col);
    }
    if (o instanceof YamlNode.Scalar) {
      return (YamlNode.Scalar) o;
    }
    if (o instanceof Map) {
      List<YamlNode.Entry> entries = new ArrayList<>();
      ((Map<String, Object>) o).forEach((k, v) -> {
        YamlNode value = toNode(v, col);
        entries.add(new YamlNode.Entry(new YamlNode.Scalar(k, true, null, 1, value.column()), value));
      });
      return new YamlNode.Mapping(entries, 1, entries.isEmpty() ? col : entries.get(0).value().column());
    }
    List<YamlNode> items = new ArrayList<>();
    for (Object v : (List<Object>) o) {
      items.add(toNode(v, col));
    }
    return new YamlNode.Sequence(items, 1, items.isEmpty() ? col : items.get(0).column());
  }
}
