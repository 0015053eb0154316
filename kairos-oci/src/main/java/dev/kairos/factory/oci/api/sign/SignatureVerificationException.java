package dev.kairos.factory.oci.api.sign;

import dev.kairos.factory.core.api.KairosException;

/** A signature that does not hold: which subject (an image reference or a file), and why. */
public final class SignatureVerificationException extends KairosException {
  private static final long serialVersionUID = 1L;

  /** Why a signature was refused. */
  public enum Reason {
    /** The image has no signature at all ({@code sha256-<hex>.sig} is missing or empty). */
    NO_SIGNATURE,
    /** The signature does not verify with the key given: another key made it, or the payload was changed and re-uploaded whole. */
    OTHER_KEY,
    /** A valid signature, but its payload names another image digest (a signature copied from another image). */
    OTHER_DIGEST,
    /** The payload the registry served is not the one the signature manifest names (its bytes were changed). */
    TAMPERED,
    /** The payload or the signature is not in cosign's format. */
    MALFORMED
  }

  private final String subject;
  private final Reason reason;

  /** A refusal of {@code subject}'s signature for {@code reason}, described by {@code message}. */
  public SignatureVerificationException(String subject, Reason reason, String message) {
    super(subject + ": " + message);
    this.subject = subject;
    this.reason = reason;
  }

  /** The image reference or file whose signature was refused. */
  public String subject() {
    return subject;
  }

  /** Why. */
  public Reason reason() {
    return reason;
  }
}
