package dev.kairos.factory.core.api;

import java.util.Optional;

/**
 * A document or value given by the user is malformed: a YAML file, an os-release file, a version,
 * an image reference. The source (a file name, or a description such as {@code --version}) and,
 * where known, the 1-based line and column are carried as data and echoed in the message as
 * {@code source:line:column: message}.
 */
public class InvalidInputException extends KairosException {
  private static final long serialVersionUID = 1L;
  /** The file name or description of the input, such as {@code --version}. */
  private final String source;
  /** The 1-based line, or 0 when not known. */
  private final int line;
  /** The 1-based column, or 0 when not known. */
  private final int column;
  /** What is wrong, without the location. */
  private final String detail;

  /** An error located at {@code line:column} of {@code source} (0 for an unknown part). */
  public InvalidInputException(String source, int line, int column, String detail) {
    super(format(source, line, column, detail));
    this.source = source;
    this.line = line;
    this.column = column;
    this.detail = detail;
  }

  /** An error about a whole input, such as a command-line value. */
  public InvalidInputException(String source, String detail) {
    this(source, 0, 0, detail);
  }

  private static String format(String source, int line, int column, String detail) {
    StringBuilder b = new StringBuilder(source);
    if (line > 0) {
      b.append(':').append(line);
      if (column > 0) {
        b.append(':').append(column);
      }
    }
    return b.append(": ").append(detail).toString();
  }

  /** The file name or the description of the input that is wrong. */
  public String source() {
    return source;
  }

  /** The 1-based line, if known. */
  public Optional<Integer> line() {
    return line > 0 ? Optional.of(line) : Optional.empty();
  }

  /** The 1-based column, if known. */
  public Optional<Integer> column() {
    return column > 0 ? Optional.of(column) : Optional.empty();
  }

  /** What is wrong, without the location prefix. */
  public String detail() {
    return detail;
  }
}
