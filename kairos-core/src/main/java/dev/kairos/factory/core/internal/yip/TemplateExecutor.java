package dev.kairos.factory.core.internal.yip;

import static dev.kairos.factory.core.internal.yip.GoTemplate.MAX_RANGE;
import static dev.kairos.factory.core.internal.yip.GoTemplate.MISSING;
import static dev.kairos.factory.core.internal.yip.GoTemplate.checkLength;
import static dev.kairos.factory.core.internal.yip.GoTemplate.print;
import static dev.kairos.factory.core.internal.yip.GoTemplate.truth;

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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a {@link TemplateTree} with a dot into a {@link StringBuilder}, within the limits of one
 * expansion: {@link GoTemplate#MAX_RANGE} iterations of all ranges together and
 * {@link GoTemplate#MAX_OUTPUT} characters.
 */
final class TemplateExecutor {
  private final Object root;
  private final StringBuilder out;
  private long iterations;

  TemplateExecutor(Object root, StringBuilder out) {
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
      return TemplateFunctions.call(((Ident) head).name(), args);
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
      return TemplateFunctions.call(((Ident) e).name(), List.of());
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
