package dev.kairos.factory.boot.internal.host;

import java.time.Duration;
import java.util.Objects;

/** The check every builder that takes a host tool's time limit makes, in one place. */
public final class ToolTimeout {
  private ToolTimeout() {}

  /** {@code timeout} itself if it is positive. */
  public static Duration requirePositive(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    return timeout;
  }
}
