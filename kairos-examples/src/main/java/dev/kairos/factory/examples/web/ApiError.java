package dev.kairos.factory.examples.web;

import java.util.List;

/** An answer other than success: its HTTP status, a message, and the findings behind it (if any). */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;
  final transient List<Finding> findings;

  ApiError(int status, String message) {
    this(status, message, List.of());
  }

  ApiError(int status, String message, List<Finding> findings) {
    super(message);
    this.status = status;
    this.findings = List.copyOf(findings);
  }
}
