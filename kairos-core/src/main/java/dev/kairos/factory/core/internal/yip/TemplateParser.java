package dev.kairos.factory.core.internal.yip;

import dev.kairos.factory.core.internal.yip.GoTemplate.LimitException;
import dev.kairos.factory.core.internal.yip.GoTemplate.TemplateException;
import dev.kairos.factory.core.internal.yip.TemplateTree.Expr;
import dev.kairos.factory.core.internal.yip.TemplateTree.Field;
import dev.kairos.factory.core.internal.yip.TemplateTree.Ident;
import dev.kairos.factory.core.internal.yip.TemplateTree.IfNode;
import dev.kairos.factory.core.internal.yip.TemplateTree.Literal;
import dev.kairos.factory.core.internal.yip.TemplateTree.Node;
import dev.kairos.factory.core.internal.yip.TemplateTree.PrintNode;
import dev.kairos.factory.core.internal.yip.TemplateTree.RangeNode;
import dev.kairos.factory.core.internal.yip.TemplateTree.Sub;
import dev.kairos.factory.core.internal.yip.TemplateTree.TextNode;
import dev.kairos.factory.core.internal.yip.TemplateTree.WithNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The second pass: the lexer's tokens into a {@link TemplateTree}. Blocks and parentheses nest
 * at most {@link GoTemplate#MAX_NESTING} levels, so hostile input ends in a
 * {@link LimitException}, never in a stack overflow.
 */
final class TemplateParser {
  private static final int MAX_NESTING = GoTemplate.MAX_NESTING;

  private final List<Object> tokens;
  private int nesting;

  private TemplateParser(List<Object> tokens) {
    this.tokens = tokens;
  }

  /** The nodes of a whole template. */
  static List<Node> parse(String text) throws TemplateException {
    return new TemplateParser(TemplateLexer.lex(text)).parseList(new int[] {0}, true);
  }

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
      String body = ((TemplateLexer.Action) t).body();
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
    String closing = ((TemplateLexer.Action) tokens.get(at[0])).body();
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

  static boolean isIdent(char c) {
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
      if (!TemplateFunctions.exists(w)) {
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
}
