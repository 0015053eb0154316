package dev.kairos.factory.core.api.yip;

import java.util.Objects;

/**
 * Where something was written: a file name (or a description such as {@code <cmdline>}) and the
 * 1-based line and column; 0 where unknown (a step made in code). Prints as
 * {@code source:line:column}.
 *
 * @param source the file name, or a description such as {@code <cmdline>}
 * @param line the 1-based line, or 0 when unknown
 * @param column the 1-based column, or 0 when unknown
 */
public record YipLocation(String source, int line, int column) {
  /** The location of steps built in code rather than parsed. */
  public static final YipLocation NONE = new YipLocation("<code>", 0, 0);

  /** Refuses a {@code null} source and negative positions. */
  public YipLocation {
    Objects.requireNonNull(source, "source");
    if (line < 0 || column < 0) {
      throw new IllegalArgumentException("line and column must not be negative: " + line + ":" + column);
    }
  }

  @Override
  public String toString() {
    return line == 0 ? source : source + ":" + line + ":" + column;
  }
}
