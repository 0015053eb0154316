package dev.kairos.factory.core.api;

import java.io.IOException;

/**
 * The root of every checked error the library raises. Subtypes carry the data a caller needs to
 * react (the offending path, the failing command and its exit code, the step, the input's
 * location), so that nobody has to parse a message.
 *
 * <p>The one rule for which exception a method throws:
 * <ul>
 *   <li><b>A condition of the world</b>, which the calling code could not have ruled out before the
 *       call (a file or an image that is missing or malformed, a registry, a host tool, a full
 *       disk, a document read from disk), is a checked {@code KairosException} subtype.
 *   <li><b>A value the calling code passes</b> that is wrong (a null, an out-of-range number, a
 *       cloud-config text that does not start with {@code #cloud-config}, a malformed URL given to
 *       a builder, a wither or a target) is an {@link IllegalArgumentException} whose message echoes
 *       the value: the caller holds the value and can check it first. Builders and targets check
 *       eagerly, so the mistake surfaces where it is made.
 *   <li><b>Parsing a string</b> into a value type is usable in a stream and a constant: every such
 *       type has an unchecked form that throws {@link IllegalArgumentException}
 *       ({@code KairosVersion.parse}, {@code Step.parse}, {@code ImageReference.of},
 *       {@code Family.of}, {@code Architecture.of}, {@code Model.of}); where a checked
 *       {@code parse} exists beside it, it reports the same failure as a checked subtype (with the
 *       input's source), for callers that treat the text as input from the world.
 * </ul>
 */
public class KairosException extends IOException {
  private static final long serialVersionUID = 1L;

  /** An error described by {@code message}, with no cause. */
  public KairosException(String message) {
    super(message);
  }

  /** An error described by {@code message}, caused by {@code cause} (kept as the exception's cause). */
  public KairosException(String message, Throwable cause) {
    super(message, cause);
  }
}
