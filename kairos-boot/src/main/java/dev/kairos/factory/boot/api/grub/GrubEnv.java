package dev.kairos.factory.boot.api.grub;

import dev.kairos.factory.core.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A GRUB environment block ({@code grubenv}): the header line {@code # GRUB Environment Block},
 * {@code key=value} lines in sorted order (empty values dropped; backslash and newline escaped
 * with a backslash, as grub does), padded with {@code #} to exactly 1024 bytes, which GRUB
 * requires to rewrite it in place at boot ({@code save_env}).
 *
 * <pre>{@code
 * byte[] block = GrubEnv.of(Map.of("next_entry", "recovery")).toBytes();   // 1024 bytes
 * GrubEnv env = GrubEnv.parse(block);
 * env.with("saved_entry", "fallback").toBytes();
 * }</pre>
 */
public final class GrubEnv {
  /** The size of a block. */
  public static final int SIZE = 1024;
  private static final String HEADER = "# GRUB Environment Block\n";

  private final SortedMap<String, String> vars;

  private GrubEnv(SortedMap<String, String> vars) {
    this.vars = Collections.unmodifiableSortedMap(vars);
  }

  /** A block with {@code vars}; names must be non-empty and free of '=', '#' and newlines. */
  public static GrubEnv of(Map<String, String> vars) {
    TreeMap<String, String> m = new TreeMap<>();
    vars.forEach((k, v) -> {
      checkName(k);
      if (!Objects.requireNonNull(v, k).isEmpty()) {
        m.put(k, v);
      }
    });
    return new GrubEnv(m);
  }

  private static void checkName(String k) {
    if (k == null || k.isEmpty() || k.chars().anyMatch(c -> c == '=' || c == '\n' || c == '#' || c == '\\')) {
      throw new IllegalArgumentException("not a grub variable name: '" + k + "'");
    }
  }

  /** Reads a block as grub writes it (any size is accepted; grub itself insists on 1024). */
  public static GrubEnv parse(byte[] block) throws InvalidInputException {
    String s = new String(block, StandardCharsets.UTF_8);
    if (!s.startsWith(HEADER)) {
      throw new InvalidInputException("grubenv", 1, 1, "does not start with '" + HEADER.strip() + "'");
    }
    TreeMap<String, String> m = new TreeMap<>();
    int i = HEADER.length();
    int line = 2;
    while (i < s.length()) {
      int end = i;
      StringBuilder sb = new StringBuilder();
      while (end < s.length() && s.charAt(end) != '\n') {
        char c = s.charAt(end);
        if (c == '\\' && end + 1 < s.length()) {
          sb.append(s.charAt(end + 1));
          end += 2;
          continue;
        }
        sb.append(c);
        end++;
      }
      String entry = sb.toString();
      if (!entry.isEmpty() && entry.charAt(0) != '#') {
        int eq = entry.indexOf('=');
        if (eq <= 0) {
          throw new InvalidInputException("grubenv", line, 1, "not a key=value line: '" + entry + "'");
        }
        m.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
      i = end + 1;
      line++;
    }
    return new GrubEnv(m);
  }

  /** The variables, sorted by name. */
  public SortedMap<String, String> variables() {
    return vars;
  }

  /** This block with {@code name} set ({@code ""} removes it). */
  public GrubEnv with(String name, String value) {
    checkName(name);
    TreeMap<String, String> m = new TreeMap<>(vars);
    if (Objects.requireNonNull(value, "value").isEmpty()) {
      m.remove(name);
    } else {
      m.put(name, value);
    }
    return new GrubEnv(m);
  }

  /** The 1024-byte block; fails when the variables do not fit. */
  public byte[] toBytes() {
    StringBuilder sb = new StringBuilder(HEADER);
    vars.forEach((k, v) -> sb.append(k).append('=')
        .append(v.replace("\\", "\\\\").replace("\n", "\\\n")).append('\n'));
    byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
    if (body.length > SIZE) {
      throw new IllegalArgumentException("grub variables take " + body.length + " bytes, a block holds " + SIZE);
    }
    byte[] out = Arrays.copyOf(body, SIZE);
    Arrays.fill(out, body.length, SIZE, (byte) '#');
    return out;
  }

  @Override
  public String toString() {
    return "GrubEnv" + vars;
  }
}
