package dev.kairos.factory.core.internal.yip;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The subset of Go's {@code text/template} (with the sprig functions) that yip documents use:
 * {@code {{ .Values.os.name }}} field chains, pipelines, string/number/bool literals, parentheses,
 * {@code if}/{@code else if}/{@code else}/{@code range}/{@code with}/{@code end}, trim markers
 * ({@code {{-}}, {@code -}}}) and comments. A missing map key prints {@code <no value>}; walking
 * into a missing value, an unknown function or any syntax error is a {@link TemplateException},
 * upon which yip keeps the original text ({@link #expandOrKeep}).
 *
 * <p>{@link TemplateLexer} splits text from actions, {@link TemplateParser} makes a
 * {@link TemplateTree}, {@link TemplateExecutor} runs it with {@link TemplateFunctions}' table.
 * Hostile input meets limits ({@link LimitException}): output, range iterations, nesting.
 */
public final class GoTemplate {
  /** A template could not be parsed or executed. */
  public static final class TemplateException extends Exception {
    private static final long serialVersionUID = 1L;

    TemplateException(String message) {
      super(message);
    }
  }

  /**
   * A template ran past one of the limits on hostile input: more range iterations, output or
   * nesting than any real configuration needs. Unlike {@link TemplateException} it is never
   * swallowed by {@link #expandOrKeep}: the caller reports it with the file it came from.
   */
  public static final class LimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LimitException(String message) {
      super(message);
    }
  }

  /** The value of a missing map key: prints as {@code <no value>}, counts as nil. */
  static final Object MISSING = new Object() {
    @Override
    public String toString() {
      return "<no value>";
    }
  };
  /** Characters one expansion may produce, and any string a function may return. */
  static final int MAX_OUTPUT = 16 << 20;
  /** Iterations of all {@code range} actions of one expansion together. */
  static final int MAX_RANGE = 100_000;
  /** Nesting of blocks and parentheses. */
  static final int MAX_NESTING = 100;

  private GoTemplate() {}

  /** Expands {@code text} with {@code data} as dot, or returns {@code text} unchanged if it fails (yip's rule). */
  public static String expandOrKeep(String text, Map<String, Object> data) {
    try {
      return expand(text, data);
    } catch (TemplateException e) {
      return text;
    }
  }

  /** Checks that {@code text} parses as a template (execution errors, such as a missing value, are not found). */
  public static void check(String text) throws TemplateException {
    if (text.contains("{{")) {
      TemplateParser.parse(text);
    }
  }

  /** Expands {@code text} with {@code data} as dot. */
  public static String expand(String text, Map<String, Object> data) throws TemplateException {
    if (!text.contains("{{")) {
      return text;
    }
    List<TemplateTree.Node> nodes = TemplateParser.parse(text);
    StringBuilder out = new StringBuilder();
    new TemplateExecutor(data, out).run(nodes, data);
    return out.toString();
  }

  /** Throws once a string being built would pass {@link #MAX_OUTPUT} characters. */
  static void checkLength(long length) {
    if (length > MAX_OUTPUT) {
      throw new LimitException("template output grows past the limit of " + (MAX_OUTPUT >> 20) + " MiB");
    }
  }

  static boolean truth(Object v) {
    if (v == null || v == MISSING) {
      return false;
    }
    if (v instanceof Boolean) {
      return (Boolean) v;
    }
    if (v instanceof Number) {
      return ((Number) v).doubleValue() != 0;
    }
    if (v instanceof String) {
      return !((String) v).isEmpty();
    }
    if (v instanceof Collection) {
      return !((Collection<?>) v).isEmpty();
    }
    if (v instanceof Map) {
      return !((Map<?, ?>) v).isEmpty();
    }
    return true;
  }

  /** Go's {@code fmt.Sprint} of a value. */
  static String print(Object v) {
    if (v == MISSING) {
      return "<no value>";
    }
    if (v == null) {
      return "<nil>";
    }
    if (v instanceof Map) {
      StringBuilder b = new StringBuilder("map[");
      String sep = "";
      for (Map.Entry<?, ?> e : new TreeMap<>((Map<?, ?>) v).entrySet()) {
        b.append(sep).append(e.getKey()).append(':').append(print(e.getValue()));
        checkLength(b.length());
        sep = " ";
      }
      return b.append(']').toString();
    }
    if (v instanceof Collection) {
      StringBuilder b = new StringBuilder("[");
      String sep = "";
      for (Object o : (Collection<?>) v) {
        b.append(sep).append(print(o));
        checkLength(b.length());
        sep = " ";
      }
      return b.append(']').toString();
    }
    if (v instanceof Double) {
      double d = (Double) v;
      return d == Math.rint(d) && Math.abs(d) < 1e21 ? String.valueOf((long) d) : String.valueOf(d);
    }
    return v.toString();
  }
}
