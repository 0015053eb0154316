package dev.kairos.factory.core.internal.yip;

import dev.kairos.factory.core.internal.yip.GoTemplate.TemplateException;
import java.util.ArrayList;
import java.util.List;

/**
 * The first pass over a template: text and the bodies of {@code {{ }}} actions, with the trim
 * markers ({@code {{-}, {@code -}}}) applied and comments dropped.
 */
final class TemplateLexer {
  /** The body of one action, stripped. */
  record Action(String body) {}

  private final String text;
  private int pos;
  /** Text ({@link String}) and {@link Action}s, in order. */
  private final List<Object> tokens = new ArrayList<>();

  private TemplateLexer(String text) {
    this.text = text;
  }

  /** The tokens of {@code text}: strings for text, {@link Action}s for actions. */
  static List<Object> lex(String text) throws TemplateException {
    TemplateLexer l = new TemplateLexer(text);
    l.lex();
    return l.tokens;
  }

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
}
