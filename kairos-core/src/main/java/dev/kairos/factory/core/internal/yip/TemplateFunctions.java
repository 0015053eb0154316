package dev.kairos.factory.core.internal.yip;

import static dev.kairos.factory.core.internal.yip.GoTemplate.MISSING;
import static dev.kairos.factory.core.internal.yip.GoTemplate.checkLength;
import static dev.kairos.factory.core.internal.yip.GoTemplate.print;
import static dev.kairos.factory.core.internal.yip.GoTemplate.truth;

import dev.kairos.factory.core.internal.yip.GoTemplate.TemplateException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The text/template builtins and the sprig functions yip configurations use, as a table from
 * name to function, as sprig's own map is. Every string a function returns is held to
 * {@link GoTemplate#MAX_OUTPUT}; the functions that multiply text check before they allocate.
 */
final class TemplateFunctions {
  /** One function: its arguments, the piped value last. */
  @FunctionalInterface
  interface Function {
    Object call(List<Object> args) throws TemplateException;
  }

  private static final Map<String, Function> TABLE = table();

  private TemplateFunctions() {}

  static boolean exists(String name) {
    return TABLE.containsKey(name);
  }

  static Object call(String name, List<Object> args) throws TemplateException {
    Function f = TABLE.get(name);
    if (f == null) {
      throw new TemplateException("function \"" + name + "\" not defined");
    }
    Object result = f.call(args);
    if (result instanceof String s) {
      checkLength(s.length());
    }
    return result;
  }

  private static Map<String, Function> table() {
    Map<String, Function> t = new HashMap<>();
    logic(t);
    comparison(t);
    strings(t);
    encoding(t);
    lists(t);
    return Map.copyOf(t);
  }

  /** A function of exactly {@code n} arguments. */
  private static void fixed(Map<String, Function> t, String name, int n, Function f) {
    t.put(name, a -> {
      if (a.size() != n) {
        throw new TemplateException("wrong number of args for " + name + ": want " + n + " got " + a.size());
      }
      return f.call(a);
    });
  }

  private static void logic(Map<String, Function> t) {
    t.put("and", a -> {
      Object last = null;
      for (Object o : a) {
        last = o;
        if (!truth(o)) {
          return o;
        }
      }
      return last;
    });
    t.put("or", a -> {
      Object last = null;
      for (Object o : a) {
        last = o;
        if (truth(o)) {
          return o;
        }
      }
      return last;
    });
    fixed(t, "not", 1, a -> !truth(a.get(0)));
    t.put("default", a -> {
      if (a.size() < 1 || a.size() > 2) {
        throw new TemplateException("wrong number of args for default");
      }
      return a.size() == 2 && truth(a.get(1)) ? a.get(1) : a.get(0);
    });
    fixed(t, "empty", 1, a -> !truth(a.get(0)));
    t.put("coalesce", a -> {
      for (Object o : a) {
        if (truth(o)) {
          return o;
        }
      }
      return null;
    });
    fixed(t, "ternary", 3, a -> truth(a.get(2)) ? a.get(0) : a.get(1));
  }

  private static void comparison(Map<String, Function> t) {
    t.put("eq", a -> {
      for (Object o : a.subList(1, a.size())) {
        if (equal(a.get(0), o)) {
          return true;
        }
      }
      return false;
    });
    fixed(t, "ne", 2, a -> !equal(a.get(0), a.get(1)));
    fixed(t, "lt", 2, a -> compare(a.get(0), a.get(1)) < 0);
    fixed(t, "le", 2, a -> compare(a.get(0), a.get(1)) <= 0);
    fixed(t, "gt", 2, a -> compare(a.get(0), a.get(1)) > 0);
    fixed(t, "ge", 2, a -> compare(a.get(0), a.get(1)) >= 0);
    fixed(t, "contains", 2, a -> str(a.get(1)).contains(str(a.get(0))));
    fixed(t, "hasPrefix", 2, a -> str(a.get(1)).startsWith(str(a.get(0))));
    fixed(t, "hasSuffix", 2, a -> str(a.get(1)).endsWith(str(a.get(0))));
    fixed(t, "regexMatch", 2, a -> {
      try {
        return com.google.re2j.Pattern.compile(str(a.get(0))).matcher(str(a.get(1))).find();
      } catch (com.google.re2j.PatternSyntaxException e) {
        throw new TemplateException("bad regex: " + e.getMessage());
      }
    });
  }

  private static void strings(Map<String, Function> t) {
    t.put("print", a -> join(a, false));
    t.put("cat", a -> join(a, true));
    t.put("println", a -> {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < a.size(); i++) {
        b.append(i == 0 ? "" : " ").append(print(a.get(i)));
        checkLength(b.length());
      }
      return b.append('\n').toString();
    });
    t.put("printf", TemplateFunctions::printf);
    fixed(t, "upper", 1, a -> str(a.get(0)).toUpperCase(Locale.ROOT));
    fixed(t, "lower", 1, a -> str(a.get(0)).toLowerCase(Locale.ROOT));
    fixed(t, "title", 1, a -> {
      StringBuilder b = new StringBuilder();
      boolean start = true;
      for (char c : str(a.get(0)).toCharArray()) {
        b.append(start ? Character.toTitleCase(c) : c);
        start = Character.isWhitespace(c);
      }
      return b.toString();
    });
    fixed(t, "trim", 1, a -> str(a.get(0)).strip());
    fixed(t, "nospace", 1, a -> str(a.get(0)).replaceAll("\\s", ""));
    fixed(t, "trimPrefix", 2, a -> {
      String s = str(a.get(1));
      return s.startsWith(str(a.get(0))) ? s.substring(str(a.get(0)).length()) : s;
    });
    fixed(t, "trimSuffix", 2, a -> {
      String s = str(a.get(1));
      return s.endsWith(str(a.get(0))) ? s.substring(0, s.length() - str(a.get(0)).length()) : s;
    });
    fixed(t, "trunc", 2, a -> {
      long n = num(a.get(0));
      String s = str(a.get(1));
      if (n >= 0) {
        return s.length() > n ? s.substring(0, (int) n) : s;
      }
      return s.length() > -n ? s.substring(s.length() + (int) n) : s;
    });
    fixed(t, "substr", 3, a -> {
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
    });
    fixed(t, "replace", 3, a -> replace(str(a.get(2)), str(a.get(0)), str(a.get(1))));
    t.put("quote", a -> quote(a, true));
    t.put("squote", a -> quote(a, false));
    fixed(t, "repeat", 2, a -> {
      long n = num(a.get(0));
      if (n < 0) {
        throw new TemplateException("repeat count out of range: " + n);
      }
      String s = str(a.get(1));
      checkLength(s.isEmpty() ? 0 : Math.multiplyHigh(n, s.length()) != 0 ? Long.MAX_VALUE : n * s.length());
      return s.repeat((int) n);
    });
    fixed(t, "toString", 1, a -> str(a.get(0)));
    fixed(t, "indent", 2, a -> indent(a, false));
    fixed(t, "nindent", 2, a -> indent(a, true));
  }

  private static void encoding(Map<String, Function> t) {
    fixed(t, "env", 1, a -> {
      String v = System.getenv(str(a.get(0)));
      return v == null ? "" : v;
    });
    fixed(t, "expandenv", 1, a -> expandEnv(str(a.get(0))));
    fixed(t, "b64enc", 1, a -> Base64.getEncoder().encodeToString(str(a.get(0)).getBytes(StandardCharsets.UTF_8)));
    fixed(t, "b64dec", 1, a -> {
      try {
        return new String(Base64.getDecoder().decode(str(a.get(0))), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
    });
    fixed(t, "sha256sum", 1, a -> {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
            .digest(str(a.get(0)).getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static void lists(Map<String, Function> t) {
    fixed(t, "len", 1, a -> {
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
    });
    t.put("index", TemplateFunctions::index);
    fixed(t, "join", 2, a -> {
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
    });
    fixed(t, "splitList", 2,
        a -> List.of((Object[]) str(a.get(1)).split(java.util.regex.Pattern.quote(str(a.get(0))), -1)));
    t.put("list", ArrayList::new);
  }

  // ------------------------------------------------------------------ helpers

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

  /** {@code print} (Go's Sprint: a space only between operands that are not both strings) or sprig's {@code cat}. */
  private static String join(List<Object> a, boolean cat) {
    StringBuilder b = new StringBuilder();
    for (Object o : a) {
      if (cat && (o == null || o == MISSING)) {
        continue;
      }
      if (b.length() > 0 && (cat || !(o instanceof String))) {
        b.append(' ');
      }
      b.append(cat ? str(o) : print(o));
      checkLength(b.length());
    }
    return b.toString();
  }

  private static String quote(List<Object> a, boolean doubleQuotes) {
    List<String> parts = new ArrayList<>();
    for (Object o : a) {
      if (o == null || o == MISSING) {
        continue;
      }
      parts.add(doubleQuotes ? '"' + str(o).replace("\\", "\\\\").replace("\"", "\\\"") + '"' : "'" + str(o) + "'");
    }
    return String.join(" ", parts);
  }

  private static String indent(List<Object> a, boolean newline) throws TemplateException {
    String pad = " ".repeat((int) Math.min(Math.max(num(a.get(0)), 0), 1000));
    String r = pad + replace(str(a.get(1)), "\n", "\n" + pad);
    return newline ? "\n" + r : r;
  }

  private static Object index(List<Object> a) throws TemplateException {
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
        while (en < s.length() && TemplateParser.isIdent(s.charAt(en))) {
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
