package dev.kairos.factory.core.internal.yip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The subset of Go's {@code text/template} (with the sprig functions) that yip documents use:
 * {@code {{ .Values.os.name }}} field chains, pipelines, string/number/bool literals, parentheses,
 * {@code if}/{@code else if}/{@code else}/{@code range}/{@code with}/{@code end}, trim markers
 * ({@code {{-}}, {@code -}}}) and comments. A missing map key prints {@code <no value>}; walking
 * into a missing value, an unknown function or any syntax error is a {@link TemplateException},
 * upon which yip keeps the original text ({@link #expandOrKeep}).
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
  private static final Object MISSING = new Object() {
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

  private final String text;
  private int pos;
  private final List<Object> tokens = new ArrayList<>();
  private int nesting;

  private GoTemplate(String text) {
    this.text = text;
  }

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
      GoTemplate t = new GoTemplate(text);
      t.lex();
      t.parseList(new int[] {0}, true);
    }
  }

  /** Expands {@code text} with {@code data} as dot. */
  public static String expand(String text, Map<String, Object> data) throws TemplateException {
    if (!text.contains("{{")) {
      return text;
    }
    GoTemplate t = new GoTemplate(text);
    t.lex();
    List<Node> nodes = t.parseList(new int[] {0}, true);
    StringBuilder out = new StringBuilder();
    new Exec(data, out).run(nodes, data);
    return out.toString();
  }

  // ------------------------------------------------------------------ lexing: text and action strings

  private record Action(String body) {}

  private void lex() throws TemplateException {
    StringBuilder pending = new StringBuilder();
    while (pos < text.length()) {
      int open = text.indexOf("{{", pos);
      if (open < 0) {
        pending.append(text, pos, text.length());
        break;
      }
      pending.append(text, pos, open);
      int start = open + 2;
      boolean trimLeft = start + 1 < text.length() && text.charAt(start) == '-'
          && Character.isWhitespace(text.charAt(start + 1));
      if (trimLeft) {
        start += 2;
        int i = pending.length();
        while (i > 0 && Character.isWhitespace(pending.charAt(i - 1))) {
          i--;
        }
        pending.setLength(i);
      }
      int close = findClose(start);
      int end = close;
      boolean trimRight = close >= 2 && text.charAt(close - 1) == '-' && Character.isWhitespace(text.charAt(close - 2))
          && close - 1 >= start;
      if (trimRight) {
        end = close - 1;
      }
      if (pending.length() > 0) {
        tokens.add(pending.toString());
        pending.setLength(0);
      }
      String body = text.substring(start, Math.max(start, end)).strip();
      if (!(body.startsWith("/*") && body.endsWith("*/"))) {
        tokens.add(new Action(body));
      }
      pos = close + 2;
      if (trimRight) {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
          pos++;
        }
      }
    }
    if (pending.length() > 0) {
      tokens.add(pending.toString());
    }
  }

  /** Index of the {@code }}} closing an action that starts at {@code from}, skipping string literals. */
  private int findClose(int from) throws TemplateException {
    int i = from;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '"' || c == '`' || c == '\'') {
        int j = i + 1;
        while (j < text.length() && text.charAt(j) != c) {
          if (c != '`' && text.charAt(j) == '\\') {
            j++;
          }
          j++;
        }
        i = j + 1;
        continue;
      }
      if (c == '}' && i + 1 < text.length() && text.charAt(i + 1) == '}') {
        return i;
      }
      i++;
    }
    throw new TemplateException("unclosed action");
  }

  // ------------------------------------------------------------------ parsing

  private sealed interface Node permits TextNode, PrintNode, IfNode, RangeNode, WithNode {}

  private record TextNode(String text) implements Node {}

  private record PrintNode(List<List<Expr>> pipeline) implements Node {}

  private record IfNode(List<List<Expr>> cond, List<Node> then, List<Node> otherwise) implements Node {}

  private record RangeNode(List<List<Expr>> over, List<Node> body, List<Node> otherwise) implements Node {}

  private record WithNode(List<List<Expr>> value, List<Node> body, List<Node> otherwise) implements Node {}

  private sealed interface Expr permits Field, Literal, Ident, Sub {}

  /** {@code .a.b} (root false) or {@code $.a.b} (root true); empty names is dot itself. */
  private record Field(boolean root, List<String> names) implements Expr {}

  private record Literal(Object value) implements Expr {}

  private record Ident(String name) implements Expr {}

  private record Sub(List<List<Expr>> pipeline, List<String> fields) implements Expr {}

  /** Parses nodes until {@code end}/{@code else}; {@code at[0]} is the token index. */
  private List<Node> parseList(int[] at, boolean top) throws TemplateException {
    List<Node> out = new ArrayList<>();
    while (at[0] < tokens.size()) {
      Object t = tokens.get(at[0]);
      if (t instanceof String) {
        out.add(new TextNode((String) t));
        at[0]++;
        continue;
      }
      String body = ((Action) t).body();
      String word = body.split("\\s+", 2)[0];
      if (word.equals("end") || word.equals("else")) {
        if (top) {
          throw new TemplateException("unexpected {{" + word + "}}");
        }
        return out;
      }
      at[0]++;
      switch (word) {
        case "if":
        case "range":
        case "with":
          out.add(parseBlock(word, body.substring(word.length()), at));
          break;
        case "define":
        case "template":
        case "block":
          throw new TemplateException("unsupported action " + word);
        default:
          out.add(new PrintNode(pipeline(body)));
      }
    }
    if (!top) {
      throw new TemplateException("unexpected end of template: missing {{end}}");
    }
    return out;
  }

  private Node parseBlock(String kind, String head, int[] at) throws TemplateException {
    if (++nesting > MAX_NESTING) {
      throw new LimitException("template blocks nest past the limit of " + MAX_NESTING + " levels");
    }
    try {
      return parseBlockBody(kind, head, at);
    } finally {
      nesting--;
    }
  }

  private Node parseBlockBody(String kind, String head, int[] at) throws TemplateException {
    List<List<Expr>> p = pipeline(head);
    List<Node> body = parseList(at, false);
    List<Node> otherwise = List.of();
    String closing = ((Action) tokens.get(at[0])).body();
    at[0]++;
    if (closing.startsWith("else")) {
      String rest = closing.substring(4).strip();
      if (rest.startsWith("if ") && kind.equals("if")) {
        otherwise = List.of(parseBlock("if", rest.substring(2), at));
        // the nested block consumed the shared {{end}}
        return new IfNode(p, body, otherwise);
      }
      if (!rest.isEmpty()) {
        throw new TemplateException("unsupported else clause: " + closing);
      }
      otherwise = parseList(at, false);
      at[0]++; // {{end}}
    }
    switch (kind) {
      case "if":
        return new IfNode(p, body, otherwise);
      case "range":
        return new RangeNode(p, body, otherwise);
      default:
        return new WithNode(p, body, otherwise);
    }
  }

  /** Parses a pipeline: commands separated by {@code |}, each a list of operands. */
  private static List<List<Expr>> pipeline(String s) throws TemplateException {
    int[] i = {0};
    List<List<Expr>> p = pipelineAt(s, i, 0);
    if (p.isEmpty() || p.stream().anyMatch(List::isEmpty)) {
      throw new TemplateException("empty command in pipeline: " + s);
    }
    return p;
  }

  private static List<List<Expr>> pipelineAt(String s, int[] i, int depth) throws TemplateException {
    if (depth > MAX_NESTING) {
      throw new LimitException("template parentheses nest past the limit of " + MAX_NESTING + " levels");
    }
    boolean inParen = depth > 0;
    List<List<Expr>> cmds = new ArrayList<>();
    List<Expr> cur = new ArrayList<>();
    while (true) {
      while (i[0] < s.length() && Character.isWhitespace(s.charAt(i[0]))) {
        i[0]++;
      }
      if (i[0] >= s.length()) {
        if (inParen) {
          throw new TemplateException("unclosed parenthesis");
        }
        break;
      }
      char c = s.charAt(i[0]);
      if (c == ')') {
        if (!inParen) {
          throw new TemplateException("unexpected )");
        }
        i[0]++;
        break;
      }
      if (c == '|') {
        cmds.add(cur);
        cur = new ArrayList<>();
        i[0]++;
        continue;
      }
      if (c == '(') {
        i[0]++;
        List<List<Expr>> sub = pipelineAt(s, i, depth + 1);
        List<String> fields = new ArrayList<>();
        while (i[0] < s.length() && s.charAt(i[0]) == '.') {
          int st = ++i[0];
          while (i[0] < s.length() && isIdent(s.charAt(i[0]))) {
            i[0]++;
          }
          fields.add(s.substring(st, i[0]));
        }
        cur.add(new Sub(sub, fields));
        continue;
      }
      if (c == '"' || c == '`') {
        cur.add(new Literal(stringLiteral(s, i)));
        continue;
      }
      if (c == '\'') {
        int end = s.indexOf('\'', i[0] + 1);
        if (end < 0) {
          throw new TemplateException("unterminated character constant");
        }
        String ch = s.substring(i[0] + 1, end);
        cur.add(new Literal((long) (ch.isEmpty() ? 0 : ch.codePointAt(0))));
        i[0] = end + 1;
        continue;
      }
      int st = i[0];
      while (i[0] < s.length() && !Character.isWhitespace(s.charAt(i[0])) && "|()".indexOf(s.charAt(i[0])) < 0) {
        i[0]++;
      }
      cur.add(term(s.substring(st, i[0])));
    }
    cmds.add(cur);
    return cmds;
  }

  private static boolean isIdent(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private static Expr term(String w) throws TemplateException {
    if (w.equals(".")) {
      return new Field(false, List.of());
    }
    if (w.startsWith(".") || w.startsWith("$")) {
      boolean root = w.startsWith("$");
      String rest = root ? w.substring(1) : w;
      if (root && !rest.isEmpty() && !rest.startsWith(".")) {
        throw new TemplateException("variables are not supported: " + w);
      }
      List<String> names = new ArrayList<>();
      if (!rest.isEmpty()) {
        for (String n : rest.substring(1).split("\\.", -1)) {
          if (n.isEmpty() || !n.chars().allMatch(ch -> isIdent((char) ch))) {
            throw new TemplateException("bad field name in " + w);
          }
          names.add(n);
        }
      }
      return new Field(root, names);
    }
    if (w.equals("true") || w.equals("false")) {
      return new Literal(Boolean.valueOf(w));
    }
    if (w.equals("nil")) {
      return new Literal(null);
    }
    if (w.matches("[-+]?[0-9][0-9_]*")) {
      return new Literal(Long.parseLong(w.replace("_", "")));
    }
    if (w.matches("[-+]?[0-9]*\\.[0-9]+([eE][-+]?[0-9]+)?")) {
      return new Literal(Double.parseDouble(w));
    }
    if (w.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      if (!Functions.exists(w)) {
        throw new TemplateException("function \"" + w + "\" not defined");
      }
      return new Ident(w);
    }
    throw new TemplateException("unexpected " + w);
  }

  private static String stringLiteral(String s, int[] i) throws TemplateException {
    char q = s.charAt(i[0]);
    StringBuilder b = new StringBuilder();
    int j = i[0] + 1;
    while (j < s.length() && s.charAt(j) != q) {
      char c = s.charAt(j);
      if (q == '"' && c == '\\' && j + 1 < s.length()) {
        char e = s.charAt(++j);
        switch (e) {
          case 'n': b.append('\n'); break;
          case 't': b.append('\t'); break;
          case 'r': b.append('\r'); break;
          case '\\': b.append('\\'); break;
          case '"': b.append('"'); break;
          default: throw new TemplateException("unsupported escape \\" + e);
        }
      } else {
        b.append(c);
      }
      j++;
    }
    if (j >= s.length()) {
      throw new TemplateException("unterminated quoted string");
    }
    i[0] = j + 1;
    return b.toString();
  }

  // ------------------------------------------------------------------ execution

  private static final class Exec {
    private final Object root;
    private final StringBuilder out;
    private long iterations;

    Exec(Object root, StringBuilder out) {
      this.root = root;
      this.out = out;
    }

    void run(List<Node> nodes, Object dot) throws TemplateException {
      for (Node n : nodes) {
        if (n instanceof TextNode) {
          out.append(((TextNode) n).text());
          checkLength(out.length());
        } else if (n instanceof PrintNode) {
          out.append(print(eval(((PrintNode) n).pipeline(), dot)));
          checkLength(out.length());
        } else if (n instanceof IfNode) {
          IfNode f = (IfNode) n;
          run(truth(eval(f.cond(), dot)) ? f.then() : f.otherwise(), dot);
        } else if (n instanceof WithNode) {
          WithNode w = (WithNode) n;
          Object v = eval(w.value(), dot);
          if (truth(v)) {
            run(w.body(), v);
          } else {
            run(w.otherwise(), dot);
          }
        } else {
          RangeNode r = (RangeNode) n;
          Object v = eval(r.over(), dot);
          List<Object> items = new ArrayList<>();
          if (v instanceof Map) {
            new TreeMap<>((Map<?, ?>) v).values().forEach(items::add);
          } else if (v instanceof Collection) {
            items.addAll((Collection<?>) v);
          } else if (v instanceof Long) {
            for (long k = 0; k < Math.min((Long) v, MAX_RANGE + 1L); k++) {
              items.add(k);
            }
          } else if (v != null && v != MISSING) {
            throw new TemplateException("range can't iterate over " + v);
          }
          if (items.isEmpty()) {
            run(r.otherwise(), dot);
          }
          for (Object item : items) {
            // Counted over every range of the expansion, so that nested ranges cannot multiply.
            if (++iterations > MAX_RANGE) {
              throw new LimitException("template range runs past the limit of " + MAX_RANGE + " iterations");
            }
            run(r.body(), item);
          }
        }
      }
    }

    Object eval(List<List<Expr>> pipeline, Object dot) throws TemplateException {
      Object prev = null;
      boolean havePrev = false;
      for (List<Expr> cmd : pipeline) {
        prev = command(cmd, dot, havePrev, prev);
        havePrev = true;
      }
      return prev;
    }

    private Object command(List<Expr> cmd, Object dot, boolean piped, Object prev) throws TemplateException {
      Expr head = cmd.get(0);
      if (head instanceof Ident) {
        List<Object> args = new ArrayList<>();
        for (Expr e : cmd.subList(1, cmd.size())) {
          args.add(operand(e, dot));
        }
        if (piped) {
          args.add(prev);
        }
        return Functions.call(((Ident) head).name(), args);
      }
      if (cmd.size() > 1 || piped) {
        throw new TemplateException("can't give argument to non-function " + head);
      }
      return operand(head, dot);
    }

    private Object operand(Expr e, Object dot) throws TemplateException {
      if (e instanceof Literal) {
        return ((Literal) e).value();
      }
      if (e instanceof Ident) {
        return Functions.call(((Ident) e).name(), List.of());
      }
      if (e instanceof Sub) {
        Sub s = (Sub) e;
        return walk(eval(s.pipeline(), dot), s.fields());
      }
      Field f = (Field) e;
      return walk(f.root() ? root : dot, f.names());
    }

    private static Object walk(Object start, List<String> names) throws TemplateException {
      Object cur = start;
      for (String n : names) {
        if (cur == null || cur == MISSING) {
          throw new TemplateException("nil pointer evaluating ." + n);
        }
        if (!(cur instanceof Map)) {
          throw new TemplateException("can't evaluate field " + n + " in " + cur.getClass().getSimpleName());
        }
        Map<?, ?> m = (Map<?, ?>) cur;
        cur = m.containsKey(n) ? m.get(n) : MISSING;
      }
      return cur;
    }
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

  /** The text/template builtins and the sprig functions yip configurations use. */
  static final class Functions {
    private static final List<String> NAMES = List.of("and", "or", "not", "len", "index", "print", "println",
        "printf", "eq", "ne", "lt", "le", "gt", "ge", "upper", "lower", "title", "trim", "trimPrefix", "trimSuffix",
        "trunc", "default", "empty", "coalesce", "replace", "quote", "squote", "env", "expandenv", "b64enc",
        "b64dec", "contains", "hasPrefix", "hasSuffix", "repeat", "join", "splitList", "nospace", "cat", "substr",
        "toString", "indent", "nindent", "list", "ternary", "sha256sum", "regexMatch");

    private Functions() {}

    static boolean exists(String name) {
      return NAMES.contains(name);
    }

    private static String str(Object o) {
      return o == null || o == MISSING ? "" : o instanceof String ? (String) o : print(o);
    }

    private static long num(Object o) throws TemplateException {
      if (o instanceof Number) {
        return ((Number) o).longValue();
      }
      try {
        return Long.parseLong(str(o).trim());
      } catch (NumberFormatException e) {
        throw new TemplateException("not a number: " + o);
      }
    }

    private static void arity(String name, List<Object> a, int n) throws TemplateException {
      if (a.size() != n) {
        throw new TemplateException("wrong number of args for " + name + ": want " + n + " got " + a.size());
      }
    }

    private static int compare(Object x, Object y) throws TemplateException {
      if (x instanceof Number && y instanceof Number) {
        return Double.compare(((Number) x).doubleValue(), ((Number) y).doubleValue());
      }
      if (x instanceof String && y instanceof String) {
        return ((String) x).compareTo((String) y);
      }
      throw new TemplateException("incompatible types for comparison");
    }

    private static boolean equal(Object x, Object y) {
      x = x == MISSING ? null : x;
      y = y == MISSING ? null : y;
      if (x instanceof Number && y instanceof Number) {
        return ((Number) x).doubleValue() == ((Number) y).doubleValue();
      }
      return Objects.equals(x, y);
    }

    static Object call(String name, List<Object> a) throws TemplateException {
      switch (name) {
        case "and": {
          Object last = null;
          for (Object o : a) {
            last = o;
            if (!truth(o)) {
              return o;
            }
          }
          return last;
        }
        case "or": {
          Object last = null;
          for (Object o : a) {
            last = o;
            if (truth(o)) {
              return o;
            }
          }
          return last;
        }
        case "not":
          arity(name, a, 1);
          return !truth(a.get(0));
        case "len": {
          arity(name, a, 1);
          Object o = a.get(0);
          if (o instanceof String) {
            return (long) ((String) o).getBytes(StandardCharsets.UTF_8).length;
          }
          if (o instanceof Collection) {
            return (long) ((Collection<?>) o).size();
          }
          if (o instanceof Map) {
            return (long) ((Map<?, ?>) o).size();
          }
          throw new TemplateException("len of " + o);
        }
        case "index": {
          Object cur = a.get(0);
          for (Object k : a.subList(1, a.size())) {
            if (cur instanceof Map) {
              Map<?, ?> m = (Map<?, ?>) cur;
              cur = m.containsKey(str(k)) ? m.get(str(k)) : MISSING;
            } else if (cur instanceof List) {
              long i = num(k);
              List<?> l = (List<?>) cur;
              if (i < 0 || i >= l.size()) {
                throw new TemplateException("index out of range: " + i);
              }
              cur = l.get((int) i);
            } else {
              throw new TemplateException("can't index item of type " + cur);
            }
          }
          return cur;
        }
        case "print":
        case "cat": {
          StringBuilder b = new StringBuilder();
          for (Object o : a) {
            if (name.equals("cat") && (o == null || o == MISSING)) {
              continue;
            }
            if (b.length() > 0 && (name.equals("cat") || !(o instanceof String))) {
              b.append(' ');
            }
            b.append(name.equals("cat") ? str(o) : print(o));
            checkLength(b.length());
          }
          return b.toString();
        }
        case "println": {
          StringBuilder b = new StringBuilder();
          for (int i = 0; i < a.size(); i++) {
            b.append(i == 0 ? "" : " ").append(print(a.get(i)));
            checkLength(b.length());
          }
          return b.append('\n').toString();
        }
        case "printf":
          return printf(a);
        case "eq": {
          for (Object o : a.subList(1, a.size())) {
            if (equal(a.get(0), o)) {
              return true;
            }
          }
          return false;
        }
        case "ne":
          arity(name, a, 2);
          return !equal(a.get(0), a.get(1));
        case "lt":
          arity(name, a, 2);
          return compare(a.get(0), a.get(1)) < 0;
        case "le":
          arity(name, a, 2);
          return compare(a.get(0), a.get(1)) <= 0;
        case "gt":
          arity(name, a, 2);
          return compare(a.get(0), a.get(1)) > 0;
        case "ge":
          arity(name, a, 2);
          return compare(a.get(0), a.get(1)) >= 0;
        case "upper":
          arity(name, a, 1);
          return str(a.get(0)).toUpperCase(Locale.ROOT);
        case "lower":
          arity(name, a, 1);
          return str(a.get(0)).toLowerCase(Locale.ROOT);
        case "title": {
          arity(name, a, 1);
          StringBuilder b = new StringBuilder();
          boolean start = true;
          for (char c : str(a.get(0)).toCharArray()) {
            b.append(start ? Character.toTitleCase(c) : c);
            start = Character.isWhitespace(c);
          }
          return b.toString();
        }
        case "trim":
          arity(name, a, 1);
          return str(a.get(0)).strip();
        case "nospace":
          arity(name, a, 1);
          return str(a.get(0)).replaceAll("\\s", "");
        case "trimPrefix": {
          arity(name, a, 2);
          String s = str(a.get(1));
          return s.startsWith(str(a.get(0))) ? s.substring(str(a.get(0)).length()) : s;
        }
        case "trimSuffix": {
          arity(name, a, 2);
          String s = str(a.get(1));
          return s.endsWith(str(a.get(0))) ? s.substring(0, s.length() - str(a.get(0)).length()) : s;
        }
        case "trunc": {
          arity(name, a, 2);
          long n = num(a.get(0));
          String s = str(a.get(1));
          if (n >= 0) {
            return s.length() > n ? s.substring(0, (int) n) : s;
          }
          return s.length() > -n ? s.substring(s.length() + (int) n) : s;
        }
        case "substr": {
          arity(name, a, 3);
          String s = str(a.get(2));
          long st = num(a.get(0));
          long en = num(a.get(1));
          if (st < 0) {
            return s.substring(0, (int) Math.min(Math.max(en, 0), s.length()));
          }
          if (en < 0 || en > s.length()) {
            return st > s.length() ? "" : s.substring((int) st);
          }
          return st > en ? "" : s.substring((int) st, (int) en);
        }
        case "default":
          if (a.size() < 1 || a.size() > 2) {
            throw new TemplateException("wrong number of args for default");
          }
          return a.size() == 2 && truth(a.get(1)) ? a.get(1) : a.get(0);
        case "empty":
          arity(name, a, 1);
          return !truth(a.get(0));
        case "coalesce":
          for (Object o : a) {
            if (truth(o)) {
              return o;
            }
          }
          return null;
        case "ternary":
          arity(name, a, 3);
          return truth(a.get(2)) ? a.get(0) : a.get(1);
        case "replace":
          arity(name, a, 3);
          return replace(str(a.get(2)), str(a.get(0)), str(a.get(1)));
        case "quote":
        case "squote": {
          List<String> parts = new ArrayList<>();
          for (Object o : a) {
            if (o == null || o == MISSING) {
              continue;
            }
            parts.add(name.equals("quote") ? '"' + str(o).replace("\\", "\\\\").replace("\"", "\\\"") + '"'
                : "'" + str(o) + "'");
          }
          return String.join(" ", parts);
        }
        case "env": {
          arity(name, a, 1);
          String v = System.getenv(str(a.get(0)));
          return v == null ? "" : v;
        }
        case "expandenv": {
          arity(name, a, 1);
          return expandEnv(str(a.get(0)));
        }
        case "b64enc":
          arity(name, a, 1);
          return Base64.getEncoder().encodeToString(str(a.get(0)).getBytes(StandardCharsets.UTF_8));
        case "b64dec":
          arity(name, a, 1);
          try {
            return new String(Base64.getDecoder().decode(str(a.get(0))), StandardCharsets.UTF_8);
          } catch (IllegalArgumentException e) {
            return e.getMessage();
          }
        case "sha256sum":
          arity(name, a, 1);
          try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(str(a.get(0)).getBytes(StandardCharsets.UTF_8)));
          } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
          }
        case "contains":
          arity(name, a, 2);
          return str(a.get(1)).contains(str(a.get(0)));
        case "hasPrefix":
          arity(name, a, 2);
          return str(a.get(1)).startsWith(str(a.get(0)));
        case "hasSuffix":
          arity(name, a, 2);
          return str(a.get(1)).endsWith(str(a.get(0)));
        case "regexMatch":
          arity(name, a, 2);
          try {
            return com.google.re2j.Pattern.compile(str(a.get(0))).matcher(str(a.get(1))).find();
          } catch (com.google.re2j.PatternSyntaxException e) {
            throw new TemplateException("bad regex: " + e.getMessage());
          }
        case "repeat": {
          arity(name, a, 2);
          long n = num(a.get(0));
          if (n < 0) {
            throw new TemplateException("repeat count out of range: " + n);
          }
          String s = str(a.get(1));
          checkLength(s.isEmpty() ? 0 : Math.multiplyHigh(n, s.length()) != 0 ? Long.MAX_VALUE : n * s.length());
          return s.repeat((int) n);
        }
        case "join": {
          arity(name, a, 2);
          Object l = a.get(1);
          if (!(l instanceof Collection)) {
            return str(l);
          }
          String sep = str(a.get(0));
          StringBuilder b = new StringBuilder();
          boolean first = true;
          for (Object o : (Collection<?>) l) {
            b.append(first ? "" : sep).append(str(o));
            first = false;
            checkLength(b.length());
          }
          return b.toString();
        }
        case "splitList":
          arity(name, a, 2);
          return List.of((Object[]) str(a.get(1)).split(java.util.regex.Pattern.quote(str(a.get(0))), -1));
        case "list":
          return new ArrayList<>(a);
        case "toString":
          arity(name, a, 1);
          return str(a.get(0));
        case "indent":
        case "nindent": {
          arity(name, a, 2);
          String pad = " ".repeat((int) Math.min(Math.max(num(a.get(0)), 0), 1000));
          String r = pad + replace(str(a.get(1)), "\n", "\n" + pad);
          return name.equals("nindent") ? "\n" + r : r;
        }
        default:
          throw new TemplateException("function \"" + name + "\" not defined");
      }
    }

    /** {@link String#replace}, refused before it starts if the result would pass the output limit. */
    private static String replace(String s, String target, String replacement) {
      long grows = replacement.length() - (long) target.length();
      if (grows > 0) {
        long count = 0;
        if (target.isEmpty()) {
          count = s.length() + 1L;
        } else {
          for (int i = s.indexOf(target); i >= 0; i = s.indexOf(target, i + target.length())) {
            count++;
          }
        }
        checkLength(s.length() + count * grows);
      }
      return s.replace(target, replacement);
    }

    private static String expandEnv(String s) {
      StringBuilder b = new StringBuilder();
      int i = 0;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c != '$' || i + 1 >= s.length()) {
          b.append(c);
          i++;
          continue;
        }
        int st;
        int en;
        if (s.charAt(i + 1) == '{') {
          st = i + 2;
          en = s.indexOf('}', st);
          if (en < 0) {
            b.append(s.substring(i));
            break;
          }
          i = en + 1;
        } else {
          st = i + 1;
          en = st;
          while (en < s.length() && isIdent(s.charAt(en))) {
            en++;
          }
          i = en;
        }
        String v = System.getenv(s.substring(st, en));
        b.append(v == null ? "" : v);
      }
      return b.toString();
    }

    private static String printf(List<Object> a) throws TemplateException {
      if (a.isEmpty()) {
        throw new TemplateException("printf needs a format");
      }
      String f = str(a.get(0));
      StringBuilder b = new StringBuilder();
      int arg = 1;
      for (int i = 0; i < f.length(); i++) {
        char c = f.charAt(i);
        if (c != '%' || i + 1 >= f.length()) {
          b.append(c);
          continue;
        }
        char v = f.charAt(++i);
        if (v == '%') {
          b.append('%');
          continue;
        }
        if (arg >= a.size()) {
          b.append("%!").append(v).append("(MISSING)");
          continue;
        }
        Object o = a.get(arg++);
        switch (v) {
          case 'd':
            b.append(num(o));
            break;
          case 'q':
            b.append('"').append(str(o).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            break;
          case 's':
          case 'v':
            b.append(o instanceof String ? o : print(o));
            break;
          default:
            throw new TemplateException("unsupported printf verb %" + v);
        }
        checkLength(b.length());
      }
      return b.toString();
    }
  }
}
