package dev.kairos.factory.core.internal.yip;

import dev.kairos.factory.core.api.InvalidInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads the first YAML document of a text into a {@link YamlNode} tree with line and column of
 * every node, the way yip's decoder (yaml.v3) sees it: later documents of a stream are ignored,
 * duplicate mapping keys are an error, anchors, aliases and {@code <<} merge keys are expanded.
 * Jackson's streaming parser does the YAML syntax; whether a scalar was quoted is read from the
 * source at the scalar's position, since yip treats plain and quoted scalars differently.
 */
public final class YamlReader {
  private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
  private static final int MAX_DEPTH = 200;
  /** Nodes of the document with every alias expanded; far above any real configuration. */
  static final long MAX_EXPANDED_NODES = 1_000_000;
  /** Characters of scalars with every alias expanded. */
  static final long MAX_EXPANDED_CHARS = 64L << 20;

  private final String source;
  private final String text;
  private final Map<String, YamlNode> anchors = new HashMap<>();
  /**
   * What each anchored node weighs expanded ({nodes, chars}): every alias adds its target's
   * weight, so a few kilobytes of nested aliases (a "billion laughs") are refused here, before
   * anything walks the tree they stand for.
   */
  private final Map<YamlNode, long[]> weights = new IdentityHashMap<>();
  private long nodes;
  private long chars;
  private YAMLParser parser;

  private YamlReader(String source, String text) {
    this.source = source;
    this.text = text;
  }

  /**
   * Parses {@code text}; returns {@code null} for an empty document.
   *
   * @param source the file name or description used in error messages
   */
  public static YamlNode read(String source, String text) throws InvalidInputException {
    return new YamlReader(source, text).readFirst();
  }

  private YamlNode readFirst() throws InvalidInputException {
    try (YAMLParser p = (YAMLParser) FACTORY.createParser(ObjectReadContext.empty(), text)) {
      parser = p;
      JsonToken t = p.nextToken();
      if (t == null) {
        return null;
      }
      return readValue(t, 0);
    } catch (JacksonException e) {
      throw syntaxError(e);
    }
  }

  /** A parser's "in reader, line L, column C:" and the source line with a caret under the spot. */
  private static final Pattern MARK = Pattern.compile(
      "\\s*in reader, line (\\d+), column (\\d+):(?:\\n[^\\n]*(?:\\n\\s*\\^)?)?");

  /**
   * One line, at the spot the parser names last (the problem, after its context): the parser's
   * drawings of the source are dropped, as the location already says where.
   */
  private InvalidInputException syntaxError(JacksonException e) {
    String msg = e.getOriginalMessage() == null ? e.getMessage() : e.getOriginalMessage();
    TokenStreamLocation loc = e.getLocation();
    int line = loc == null ? 0 : loc.getLineNr();
    int col = loc == null ? 0 : loc.getColumnNr();
    Matcher m = MARK.matcher(msg);
    StringBuilder text = new StringBuilder();
    int from = 0;
    while (m.find()) {
      text.append(msg, from, m.start()).append('\n');
      from = m.end();
      line = Integer.parseInt(m.group(1));
      col = Integer.parseInt(m.group(2));
    }
    text.append(msg.substring(from));
    String oneLine = text.toString().lines().map(String::strip).filter(l -> !l.isEmpty())
        .collect(Collectors.joining("; "));
    return new InvalidInputException(source, Math.max(line, 0), Math.max(col, 0), "YAML syntax error: " + oneLine);
  }

  private YamlNode readValue(JsonToken t, int depth) throws InvalidInputException {
    if (depth > MAX_DEPTH) {
      throw error(here(), "YAML nesting deeper than " + MAX_DEPTH + " levels");
    }
    TokenStreamLocation loc = parser.currentTokenLocation();
    int line = loc.getLineNr();
    int col = loc.getColumnNr();
    long nodesBefore = nodes;
    long charsBefore = chars;
    switch (t) {
      case START_OBJECT: {
        String anchor = (String) parser.getObjectId();
        grow(1, 0, line, col);
        YamlNode.Mapping m = readMapping(line, col, depth);
        remember(anchor, m, nodesBefore, charsBefore);
        return m;
      }
      case START_ARRAY: {
        String anchor = (String) parser.getObjectId();
        grow(1, 0, line, col);
        List<YamlNode> items = new ArrayList<>();
        JsonToken n;
        while ((n = parser.nextToken()) != JsonToken.END_ARRAY) {
          items.add(readValue(n, depth + 1));
        }
        YamlNode.Sequence s = new YamlNode.Sequence(items, line, col);
        remember(anchor, s, nodesBefore, charsBefore);
        return s;
      }
      default:
        return readScalar(t, line, col, (int) loc.getCharOffset());
    }
  }

  /** Counts {@code n} more nodes and {@code c} more characters of the expanded document. */
  private void grow(long n, long c, int line, int col) throws InvalidInputException {
    nodes += n;
    chars += c;
    if (nodes > MAX_EXPANDED_NODES) {
      throw error(new int[] {line, col}, "YAML aliases expand the document past the limit of "
          + MAX_EXPANDED_NODES + " nodes");
    }
    if (chars > MAX_EXPANDED_CHARS) {
      throw error(new int[] {line, col}, "YAML aliases expand the document past the limit of "
          + (MAX_EXPANDED_CHARS >> 20) + " MiB of text");
    }
  }

  private YamlNode readScalar(JsonToken t, int line, int col, int offset) throws InvalidInputException {
    String value = t == JsonToken.VALUE_NULL ? "" : parser.getString();
    if (parser.isCurrentAlias()) {
      YamlNode target = anchors.get(value);
      if (target == null) {
        throw error(new int[] {line, col}, "unknown anchor '" + value + "' referenced");
      }
      long[] w = weights.get(target);
      grow(w[0], w[1], line, col);
      return target;
    }
    // Scalar properties (&anchor, !tag) come before the value in the source.
    String anchor = null;
    int i = Math.max(0, Math.min(offset, text.length()));
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        i++;
      } else if (c == '&' || c == '!') {
        int start = i;
        while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
          i++;
        }
        if (c == '&') {
          anchor = text.substring(start + 1, i);
        }
      } else {
        break;
      }
    }
    char style = i < text.length() ? text.charAt(i) : ' ';
    boolean plain = t != JsonToken.VALUE_NULL ? style != '"' && style != '\'' && style != '|' && style != '>' : true;
    YamlNode.Scalar s = new YamlNode.Scalar(value, plain, parser.getRawTag(), line, col);
    long nodesBefore = nodes;
    long charsBefore = chars;
    grow(1, value.length(), line, col);
    remember(anchor, s, nodesBefore, charsBefore);
    return s;
  }

  private YamlNode.Mapping readMapping(int line, int col, int depth) throws InvalidInputException {
    Map<String, YamlNode.Entry> explicit = new LinkedHashMap<>();
    Map<String, YamlNode.Entry> merged = new LinkedHashMap<>();
    List<String> order = new ArrayList<>();
    JsonToken t;
    while ((t = parser.nextToken()) != JsonToken.END_OBJECT) {
      TokenStreamLocation kl = parser.currentTokenLocation();
      String name = parser.currentName();
      int koff = (int) kl.getCharOffset();
      boolean keyPlain = koff >= text.length() || (text.charAt(koff) != '"' && text.charAt(koff) != '\'');
      YamlNode.Scalar key = new YamlNode.Scalar(name, keyPlain, null, kl.getLineNr(), kl.getColumnNr());
      grow(0, name.length(), key.line(), key.column());
      YamlNode value = readValue(parser.nextToken(), depth + 1);
      if (keyPlain && name.equals("<<")) {
        for (YamlNode.Mapping src : mergeSources(value)) {
          for (YamlNode.Entry e : src.entries()) {
            if (!merged.containsKey(e.key().text())) {
              merged.put(e.key().text(), e);
              order.add(e.key().text());
            }
          }
        }
        continue;
      }
      YamlNode.Entry previous = explicit.get(name);
      if (previous != null) {
        throw error(new int[] {key.line(), key.column()}, "mapping key \"" + name
            + "\" already defined at line " + previous.key().line());
      }
      explicit.put(name, new YamlNode.Entry(key, value));
      order.add(name);
    }
    List<YamlNode.Entry> entries = new ArrayList<>();
    java.util.Set<String> done = new java.util.HashSet<>();
    for (String k : order) {
      if (done.add(k)) {
        entries.add(explicit.containsKey(k) ? explicit.get(k) : merged.get(k));
      }
    }
    return new YamlNode.Mapping(entries, line, col);
  }

  private List<YamlNode.Mapping> mergeSources(YamlNode value) throws InvalidInputException {
    if (value instanceof YamlNode.Mapping) {
      return List.of((YamlNode.Mapping) value);
    }
    if (value instanceof YamlNode.Sequence) {
      List<YamlNode.Mapping> out = new ArrayList<>();
      for (YamlNode item : ((YamlNode.Sequence) value).items()) {
        if (!(item instanceof YamlNode.Mapping)) {
          throw error(new int[] {item.line(), item.column()}, "map merge requires map or sequence of maps as the value");
        }
        out.add((YamlNode.Mapping) item);
      }
      return out;
    }
    throw error(new int[] {value.line(), value.column()}, "map merge requires map or sequence of maps as the value");
  }

  private void remember(String anchor, YamlNode node, long nodesBefore, long charsBefore) {
    if (anchor != null && !anchor.isEmpty()) {
      anchors.put(anchor, node);
      weights.put(node, new long[] {nodes - nodesBefore, chars - charsBefore});
    }
  }

  private int[] here() {
    TokenStreamLocation l = parser.currentTokenLocation();
    return new int[] {l.getLineNr(), l.getColumnNr()};
  }

  private InvalidInputException error(int[] at, String detail) {
    return new InvalidInputException(source, at[0], at[1], detail);
  }
}
