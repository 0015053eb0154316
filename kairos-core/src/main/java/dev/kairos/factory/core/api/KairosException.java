package dev.kairos.factory.core.api;

import java.io.IOException;

/**
 * The root of every checked error the library raises. Subtypes carry the data a caller needs to
 * react (the offending path, the failing command and its exit code, the step, the input's
 * location), so that nobody has to parse a message.
 *
 * <p>Misuse of the API (a null argument, an out-of-range value given to a builder) is reported
 * with {@link IllegalArgumentException} instead: it is a bug in the calling code, not a condition
 * of the world.
 */
public class KairosException extends IOException {
  private static final long serialVersionUID = 1L;

  public KairosException(String message) {
    super(message);
  }

  public KairosException(String message, Throwable cause) {
    super(message, cause);
  }
}
