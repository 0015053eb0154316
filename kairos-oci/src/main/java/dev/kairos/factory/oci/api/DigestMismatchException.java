package dev.kairos.factory.oci.api;

import dev.kairos.factory.core.api.KairosException;

/**
 * A blob's bytes are not those its descriptor promised: another digest or another size. What was
 * received is discarded; nothing of it is kept in a cache.
 */
public class DigestMismatchException extends KairosException {
  private static final long serialVersionUID = 1L;
  /** The digest and size the descriptor names. */
  private final String expected;
  /** The digest and size that arrived. */
  private final String actual;

  /**
   * @param source where the blob came from (a registry repository, a layout, an archive)
   * @param expected the digest and size the descriptor names, as {@code sha256:… (n bytes)}
   * @param actual what arrived, in the same form
   */
  public DigestMismatchException(String source, String expected, String actual) {
    super(source + ": blob " + expected + " arrived as " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  /** The digest and size that were expected. */
  public String expected() {
    return expected;
  }

  /** The digest and size that arrived. */
  public String actual() {
    return actual;
  }
}
