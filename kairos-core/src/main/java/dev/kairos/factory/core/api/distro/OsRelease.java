package dev.kairos.factory.core.api.distro;

import dev.kairos.factory.core.api.ImageText;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The fields of an image's {@code os-release} file, parsed as os-release(5) defines the format:
 * one {@code NAME=value} per line; values bare or in double or single quotes; inside double
 * quotes (and in bare values) a backslash escapes {@code $ " ' \ `}; no expansion; lines starting
 * with {@code #} and blank lines are ignored; concatenated quoted strings are refused. Malformed
 * input raises {@link InvalidInputException} naming the file and the line.
 *
 * <pre>{@code
 * OsRelease os = OsRelease.read(root);          // /etc/os-release, else /usr/lib/os-release
 * os.id();                                       // "ubuntu"
 * os.idLike();                                   // ["debian"]
 * os.get("VERSION_CODENAME").orElse("");         // "noble"
 * }</pre>
 */
public final class OsRelease {
  /** The file read first. */
  public static final ImagePath ETC_OS_RELEASE = ImagePath.of("/etc/os-release");
  /** The fallback when {@link #ETC_OS_RELEASE} does not exist. */
  public static final ImagePath USR_LIB_OS_RELEASE = ImagePath.of("/usr/lib/os-release");
  /**
   * The most bytes of such a file that are read: real ones hold a few hundred; a larger one is
   * refused rather than read whole into memory.
   */
  public static final int MAX_BYTES = 64 * 1024;

  private final String source;
  private final Map<String, String> fields;

  private OsRelease(String source, Map<String, String> fields) {
    this.source = source;
    this.fields = Collections.unmodifiableMap(new TreeMap<>(fields));
  }

  /**
   * Reads {@code /etc/os-release}, or {@code /usr/lib/os-release} if the first does not exist
   * (symbolic links are followed inside the root).
   *
   * @throws InvalidInputException if neither exists or the one read is malformed
   */
  public static OsRelease read(RootFs root) throws IOException {
    for (ImagePath p : List.of(ETC_OS_RELEASE, USR_LIB_OS_RELEASE)) {
      if (root.isRegularFile(p)) {
        return read(root, p);
      }
    }
    throw new InvalidInputException(ETC_OS_RELEASE.toString(),
        "no os-release file in the image (looked at " + ETC_OS_RELEASE + " and " + USR_LIB_OS_RELEASE + ")");
  }

  /**
   * Reads and parses one file in this format, such as {@code /etc/kairos-release}, reading at
   * most {@link #MAX_BYTES} of it.
   *
   * @throws InvalidInputException if the file is larger than that or malformed
   * @throws java.nio.file.NoSuchFileException if it does not exist
   */
  public static OsRelease read(RootFs root, ImagePath file) throws IOException {
    byte[] bytes;
    try (InputStream in = root.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    if (bytes.length > MAX_BYTES) {
      throw new InvalidInputException(file.toString(),
          "larger than " + MAX_BYTES + " bytes; a release file holds a few hundred, so this one is not read");
    }
    return parse(file.toString(), new String(bytes, StandardCharsets.UTF_8));
  }

  /** Builds one from known fields (for tests and for callers that got them elsewhere). */
  public static OsRelease of(String source, Map<String, String> fields) {
    fields.keySet().forEach(k -> {
      if (!validName(k)) {
        throw new IllegalArgumentException("not an os-release variable name: " + ImageText.quote(k));
      }
    });
    return new OsRelease(source, fields);
  }

  /**
   * Parses os-release text.
   *
   * @param source the file name used in error messages
   * @throws InvalidInputException at the first malformed line
   */
  public static OsRelease parse(String source, String text) throws InvalidInputException {
    Map<String, String> out = new TreeMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = stripCr(lines[i]).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new InvalidInputException(source, lineNo, 1, "expected NAME=value, got " + ImageText.quote(line));
      }
      String name = line.substring(0, eq);
      if (!validName(name)) {
        throw new InvalidInputException(source, lineNo, 1, "bad variable name " + ImageText.quote(name));
      }
      // A quoted value may go on over several lines; the value parser reports how many it used.
      StringBuilder rest = new StringBuilder(line.substring(eq + 1));
      int used = i;
      Value v;
      while ((v = value(source, lineNo, eq + 2, rest.toString())) == null) {
        used++;
        if (used >= lines.length) {
          throw new InvalidInputException(source, lineNo, eq + 2, "unterminated quoted value of " + name);
        }
        rest.append('\n').append(stripCr(lines[used]));
      }
      i = used;
      out.put(name, v.text);
    }
    return new OsRelease(source, out);
  }

  private record Value(String text) {}

  /** The value, or null if a quote is still open at the end of {@code s}. */
  private static Value value(String source, int line, int col, String s) throws InvalidInputException {
    if (s.isEmpty()) {
      return new Value("");
    }
    char q = s.charAt(0);
    if (q == '"' || q == '\'') {
      StringBuilder b = new StringBuilder();
      int i = 1;
      for (; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == q) {
          break;
        }
        if (q == '"' && c == '\\' && i + 1 < s.length()) {
          char n = s.charAt(i + 1);
          if (n == '\n') {
            i++; // line continuation: both characters vanish
            continue;
          }
          if ("$\"\\`".indexOf(n) >= 0) {
            b.append(n);
            i++;
            continue;
          }
        }
        b.append(c);
      }
      if (i >= s.length()) {
        return null;
      }
      String after = s.substring(i + 1);
      if (!after.isBlank()) {
        throw new InvalidInputException(source, line, col + i + 1,
            "text after the closing quote (concatenation is not supported): " + ImageText.quote(after.strip()));
      }
      return new Value(b.toString());
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        b.append(s.charAt(++i));
      } else if (Character.isWhitespace(c) || "\"'`$;".indexOf(c) >= 0) {
        throw new InvalidInputException(source, line, col + i,
            "character " + ImageText.quote(String.valueOf(c)) + " in an unquoted value must be quoted or escaped: "
            + ImageText.quote(s));
      } else {
        b.append(c);
      }
    }
    return new Value(b.toString());
  }

  private static String stripCr(String s) {
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private static boolean validName(String name) {
    if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
      return false;
    }
    return name.chars().allMatch(c -> c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
  }

  /** The file the fields came from, e.g. {@code /etc/os-release}. */
  public String source() {
    return source;
  }

  /** All fields, sorted by name. */
  public Map<String, String> fields() {
    return fields;
  }

  /** The value of the field {@code name} (e.g. {@code VERSION_ID}), or empty when the file does not set it. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  /** {@code ID}, or the empty string. */
  public String id() {
    return fields.getOrDefault("ID", "");
  }

  /** The space-separated tokens of {@code ID_LIKE}, in order. */
  public List<String> idLike() {
    String v = fields.getOrDefault("ID_LIKE", "").strip();
    return v.isEmpty() ? List.of() : Arrays.asList(v.split("\\s+"));
  }

  /** {@code VERSION_ID}, or the empty string (rolling releases such as Arch have none). */
  public String versionId() {
    return fields.getOrDefault("VERSION_ID", "");
  }

  /** {@code PRETTY_NAME}, else {@code NAME}, else the empty string. */
  public String prettyName() {
    String p = fields.getOrDefault("PRETTY_NAME", "");
    return p.isEmpty() ? fields.getOrDefault("NAME", "") : p;
  }

  @Override
  public String toString() {
    return source + fields;
  }
}
