package dev.kairos.factory.core.api.lock;

import dev.kairos.factory.core.api.KairosException;

/** A lock file that is not in the {@link Lock} format: names the source and the line. */
public final class LockFormatException extends KairosException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final int line;

  /**
   * A bad line.
   *
   * @param source where the text came from, e.g. a file name
   * @param line the 1-based line number
   * @param problem what is wrong
   */
  public LockFormatException(String source, int line, String problem) {
    super(source + ":" + line + ": " + problem);
    this.source = source;
    this.line = line;
  }

  /** Where the text came from. */
  public String source() {
    return source;
  }

  /** The 1-based number of the bad line. */
  public int line() {
    return line;
  }
}
