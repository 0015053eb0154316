package dev.kairos.factory.oci.api;

import dev.kairos.factory.core.api.KairosException;

/**
 * No connection to a registry could be made: nothing listens on its port, the connection timed
 * out, or its host name does not resolve. Raised before any HTTP status exists, and names the
 * host and port tried, so that a typo in a reference or a registry that is down reads as such.
 */
public class RegistryUnreachableException extends KairosException {
  private static final long serialVersionUID = 1L;
  /** The image reference whose registry was asked. */
  private final String reference;
  /** The {@code host:port} a connection was tried to. */
  private final String hostPort;
  /** Why no connection was made. */
  private final String reason;

  /**
   * @param reference the image reference whose registry was asked
   * @param hostPort the host and port a connection was tried to, as {@code host:port}
   * @param reason why it failed: {@code connection refused}, {@code timed out}, {@code unknown host}, or the system's words
   * @param cause the error of the HTTP client
   */
  public RegistryUnreachableException(String reference, String hostPort, String reason, Throwable cause) {
    super(reference + ": cannot connect to registry " + hostPort + ": " + reason, cause);
    this.reference = reference;
    this.hostPort = hostPort;
    this.reason = reason;
  }

  /** The image reference whose registry was asked. */
  public String reference() {
    return reference;
  }

  /** The host and port a connection was tried to. */
  public String hostPort() {
    return hostPort;
  }

  /** Why no connection was made. */
  public String reason() {
    return reason;
  }
}
