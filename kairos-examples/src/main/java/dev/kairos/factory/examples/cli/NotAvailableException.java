package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.KairosException;

/**
 * A verb whose library part is not in this build. The CLI exits 1 with a message that says what
 * is missing rather than pretending to have done the work.
 */
public final class NotAvailableException extends KairosException {
  private static final long serialVersionUID = 1L;
  private final String feature;

  /**
   * @param feature what the user asked for, e.g. {@code "build-iso (the ISO writer)"}
   */
  public NotAvailableException(String feature) {
    super("not available yet: " + feature);
    this.feature = feature;
  }

  /** What the user asked for. */
  public String feature() {
    return feature;
  }
}
