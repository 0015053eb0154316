package dev.kairos.factory.core.api.yip;

import java.util.Objects;

/**
 * A finding about a yip document: an unknown key (a typo such as {@code systctl} that yip would
 * silently ignore), a value that will not do what it seems to (decimal {@code permissions: 644}),
 * a reference that does not resolve. Warnings are errors in strict mode. Prints as
 * {@code file:line:column: warning: message}.
 *
 * @param severity how bad it is
 * @param location where in the document
 * @param message what is wrong, for humans
 */
public record YipDiagnostic(Severity severity, YipLocation location, String message) {
  /** How bad a finding is. */
  public enum Severity {
    /** The document is accepted, but probably does not do what its author meant. */
    WARNING,
    /** The document (or the source it belongs to) is rejected. */
    ERROR
  }

  /** Refuses {@code null}. */
  public YipDiagnostic {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return location + ": " + severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + message;
  }
}
