package dev.kairos.factory.core.api;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** How much a build reports ({@code kairos-init --level}); {@link #TRACE} also makes dracut verbose. */
public enum LogLevel {
  /** Everything, and dracut runs verbose. */
  TRACE,
  /** Details of each step. */
  DEBUG,
  /** What each step does (the default). */
  INFO,
  /** Only what may be wrong. */
  WARN,
  /** Only failures. */
  ERROR;

  /** The lower-case name, as the command line spells it. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The level with this name (case-insensitive).
   *
   * @throws IllegalArgumentException listing the valid names
   */
  public static LogLevel parse(String name) {
    for (LogLevel l : values()) {
      if (l.id().equalsIgnoreCase(name.strip())) {
        return l;
      }
    }
    throw new IllegalArgumentException("unknown log level '" + name + "'; valid: " + String.join(", ", ids()));
  }

  /** The names {@link #parse(String)} accepts, in order from the most to the least verbose. */
  public static List<String> ids() {
    return Arrays.stream(values()).map(LogLevel::id).toList();
  }

  @Override
  public String toString() {
    return id();
  }
}
