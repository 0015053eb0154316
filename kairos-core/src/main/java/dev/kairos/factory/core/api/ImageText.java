package dev.kairos.factory.core.api;

import java.util.Locale;

/**
 * Makes text that came from an image (an os-release value, a kairos-release key, a file or layer
 * member name, a line a command printed) safe to put in a message or on a terminal: control
 * characters are escaped, so an escape sequence hidden in an image cannot retitle, recolour or
 * rewrite the user's terminal, and the length is capped, so a 300 MB line does not become a
 * 300 MB error message. Every message of this library that quotes such text goes through here.
 *
 * <pre>{@code
 * ImageText.quote("\033]0;pwned\007Debian");      // '\x1b]0;pwned\x07Debian'
 * ImageText.quote("a/".repeat(10_000));           // its first 200 characters quoted, then "… (20,000 characters)"
 * ImageText.escape("kairos-ubuntu-24.04");        // kairos-ubuntu-24.04 (unchanged)
 * }</pre>
 *
 * <p>Escaped: C0 and C1 controls and DEL ({@code \n}, {@code \r}, {@code \t} by name, others as
 * {@code \xNN}), and the invisible Unicode formatting characters that reorder or hide text
 * (bidirectional overrides, zero-width characters, line and paragraph separators, unpaired
 * surrogates) as <code>&#92;uNNNN</code>. Everything else, including non-ASCII letters, is kept.
 */
public final class ImageText {
  /** How many characters of one quoted value a message shows at most. */
  public static final int DEFAULT_LIMIT = 200;

  private ImageText() {}

  /**
   * {@code text} in single quotes, escaped, at most {@link #DEFAULT_LIMIT} characters of it;
   * a backslash and a single quote inside are escaped too, so the quoted form is unambiguous.
   */
  public static String quote(CharSequence text) {
    return "'" + render(text, DEFAULT_LIMIT, true, false) + "'" + rest(text, DEFAULT_LIMIT);
  }

  /** {@code text} escaped and cut to {@link #DEFAULT_LIMIT} characters, without quotes. */
  public static String escape(CharSequence text) {
    return escape(text, DEFAULT_LIMIT);
  }

  /**
   * {@code text} escaped and cut to {@code limit} characters, without quotes; a cut is marked
   * with {@code …} and the whole length.
   *
   * @throws IllegalArgumentException if {@code limit} is below 1
   */
  public static String escape(CharSequence text, int limit) {
    return render(text, checked(limit), false, false) + rest(text, limit);
  }

  /**
   * Text for a terminal that may run over several lines (a whole message, a report): as
   * {@link #escape(CharSequence, int)}, but line feeds and tabs are kept.
   *
   * @throws IllegalArgumentException if {@code limit} is below 1
   */
  public static String forTerminal(CharSequence text, int limit) {
    return render(text, checked(limit), false, true) + rest(text, limit);
  }

  /** Whether {@code text} would come back changed from {@link #forTerminal}: it holds a character escaped. */
  public static boolean hasControlCharacters(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      if (needsEscape(text, i, true)) {
        return true;
      }
    }
    return false;
  }

  private static int checked(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return limit;
  }

  private static String rest(CharSequence text, int limit) {
    return text.length() <= limit ? "" : String.format(Locale.ROOT, "… (%,d characters)", text.length());
  }

  private static String render(CharSequence text, int limit, boolean quoted, boolean keepLines) {
    int end = Math.min(text.length(), limit);
    if (end < text.length() && end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--; // never cut a pair in two
    }
    StringBuilder b = new StringBuilder(end + 16);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if (quoted && (c == '\\' || c == '\'')) {
        b.append('\\').append(c);
      } else if (!needsEscape(text, i, keepLines)) {
        b.append(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (c < 0x100) {
        b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    return b.toString();
  }

  private static boolean needsEscape(CharSequence text, int i, boolean keepLines) {
    char c = text.charAt(i);
    if (keepLines && (c == '\n' || c == '\t')) {
      return false;
    }
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
      return true;
    }
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(text.charAt(i - 1));
    }
    int type = Character.getType(c);
    return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }
}
