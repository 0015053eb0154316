package dev.kairos.factory.core.internal.yip;

import java.util.List;

/**
 * A YAML node of the first document of a stream, with the position it came from. Scalars keep
 * their source text and whether they were plain (unquoted), because yip's decoder gives plain
 * and quoted scalars different meanings (a quoted {@code "0644"} is not an integer).
 */
public sealed interface YamlNode permits YamlNode.Scalar, YamlNode.Mapping, YamlNode.Sequence {
  int line();

  int column();

  /** A human word for the node kind, for type-mismatch messages. */
  String kind();

  /** A scalar: its text, whether it was written plain, and its explicit tag if any. */
  record Scalar(String text, boolean plain, String tag, int line, int column) implements YamlNode {
    /** Whether this is YAML null ({@code ~}, {@code null}, or nothing at all), as yaml.v3 resolves it. */
    public boolean isNull() {
      if (tag != null) {
        return tag.endsWith(":null");
      }
      return plain && (text.isEmpty() || text.equals("~") || text.equals("null") || text.equals("Null")
          || text.equals("NULL"));
    }

    @Override
    public String kind() {
      return isNull() ? "null" : plain ? "plain scalar '" + text + "'" : "string \"" + text + "\"";
    }
  }

  /** One key of a mapping with its value. */
  record Entry(Scalar key, YamlNode value) {}

  /** A mapping, in source order, merge keys ({@code <<}) already applied, no duplicate keys. */
  record Mapping(List<Entry> entries, int line, int column) implements YamlNode {
    public Mapping {
      entries = List.copyOf(entries);
    }

    @Override
    public String kind() {
      return "mapping";
    }
  }

  /** A sequence. */
  record Sequence(List<YamlNode> items, int line, int column) implements YamlNode {
    public Sequence {
      items = List.copyOf(items);
    }

    @Override
    public String kind() {
      return "list";
    }
  }
}
