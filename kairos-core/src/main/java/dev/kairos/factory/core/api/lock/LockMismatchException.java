package dev.kairos.factory.core.api.lock;

import dev.kairos.factory.core.api.KairosException;
import java.util.Optional;

/**
 * A replay found something other than the lock holds: a package file whose SHA-256 differs, a
 * package the lock does not hold or cannot be found, or a base that differs. Raised before the
 * package in question is unpacked.
 */
public final class LockMismatchException extends KairosException {
  private static final long serialVersionUID = 1L;
  private final String subject;
  private final String expected;
  private final String found;
  private final String where;

  /**
   * A mismatch.
   *
   * @param subject what differs, e.g. {@code curl:amd64=7.88.1-10+deb12u15} or {@code base}
   * @param expected what the lock holds (a hash, a version, or "absent")
   * @param found what was found (a hash, a version, or "missing")
   * @param where where it looked (files, repositories)
   */
  public LockMismatchException(String subject, String expected, String found, String where) {
    super(subject + ": the lock expects " + expected + ", found " + found + " (looked in " + where + ")");
    this.subject = subject;
    this.expected = expected;
    this.found = found;
    this.where = where;
  }

  /** What differs (a package as {@code name:arch=version}, or {@code base}). */
  public String subject() {
    return subject;
  }

  /** What the lock holds. */
  public String expected() {
    return expected;
  }

  /** What was found. */
  public Optional<String> found() {
    return Optional.ofNullable(found);
  }

  /** Where the build looked. */
  public String where() {
    return where;
  }
}
