package dev.kairos.factory.core.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The timestamp that reproducible outputs use, after the reproducible-builds convention: every
 * time written into an artifact is clamped to it, so that the same inputs give the same bytes.
 *
 * <pre>{@code
 * SourceDate date = SourceDate.fromEnvironment();       // SOURCE_DATE_EPOCH, or the epoch
 * Instant t = date.clamp(fileMtime);
 * }</pre>
 */
public final class SourceDate {
  /** The name of the environment variable that sets it, in seconds since the epoch. */
  public static final String ENVIRONMENT_VARIABLE = "SOURCE_DATE_EPOCH";

  private final Instant instant;

  private SourceDate(Instant instant) {
    this.instant = instant;
  }

  /** A fixed source date. */
  public static SourceDate of(Instant instant) {
    return new SourceDate(Objects.requireNonNull(instant, "instant"));
  }

  /** {@code SOURCE_DATE_EPOCH} of this process's environment, or the Unix epoch when unset, so that output is reproducible by default. */
  public static SourceDate fromEnvironment() throws InvalidInputException {
    return fromEnvironment(System.getenv());
  }

  /** {@code SOURCE_DATE_EPOCH} of {@code env}, or the Unix epoch when unset. */
  public static SourceDate fromEnvironment(Map<String, String> env) throws InvalidInputException {
    return parse(Optional.ofNullable(env.get(ENVIRONMENT_VARIABLE))).orElse(of(Instant.EPOCH));
  }

  static Optional<SourceDate> parse(Optional<String> value) throws InvalidInputException {
    if (value.isEmpty() || value.get().isBlank()) {
      return Optional.empty();
    }
    String v = value.get().trim();
    try {
      long seconds = Long.parseLong(v);
      if (seconds < 0) {
        throw new InvalidInputException(ENVIRONMENT_VARIABLE, "must not be negative, got " + v);
      }
      return Optional.of(of(Instant.ofEpochSecond(seconds)));
    } catch (NumberFormatException e) {
      throw new InvalidInputException(ENVIRONMENT_VARIABLE, "must be whole seconds since the epoch, got '" + v + "'");
    }
  }

  public Instant instant() {
    return instant;
  }

  /** {@code time}, or the source date if {@code time} is later. */
  public Instant clamp(Instant time) {
    return time.isAfter(instant) ? instant : time;
  }

  @Override
  public String toString() {
    return "SourceDate[" + instant + "]";
  }
}
