package dev.kairos.factory.core.api.event;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the library reports while it works. The core has no logging framework: a caller subscribes
 * an {@link EventListener} and renders events as it likes ({@link Slf4jEventListener} logs them).
 * The set is closed, so a {@code switch} over it can be exhaustive.
 */
public sealed interface KairosEvent {

  /**
   * A named unit of work (a pipeline step, a pull, an ISO build) started.
   *
   * @param step the unit's name, e.g. a step's {@code steps-info} name
   * @param description what it does, for humans
   */
  record StepStarted(String step, String description) implements KairosEvent {
    /** Checks that both are given. */
    public StepStarted {
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(description, "description");
    }
  }

  /**
   * A unit of work ended; {@code skipped} when it was asked not to run.
   *
   * @param step the unit's name, as in its {@link StepStarted}
   * @param took how long it ran
   * @param skipped whether it was skipped
   */
  record StepFinished(String step, Duration took, boolean skipped) implements KairosEvent {
    /** Checks that the step and the duration are given. */
    public StepFinished {
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(took, "took");
    }
  }

  /**
   * Progress of a long transfer or write, counted in {@code unit}; {@code total} is -1 when unknown.
   *
   * <pre>{@code
   * new KairosEvent.Progress("pull sha256:...", 12 << 20, 24 << 20);            // bytes
   * new KairosEvent.Progress("copy /srv/base", 8912, -1, Progress.Unit.FILES);   // a file count
   * }</pre>
   *
   * @param task what is being transferred or written
   * @param done how much is done so far
   * @param total how much there is in all, or -1 when unknown
   * @param unit what {@code done} and {@code total} count
   */
  record Progress(String task, long done, long total, Unit unit) implements KairosEvent {
    /** Checks that the task and the unit are given. */
    public Progress {
      Objects.requireNonNull(task, "task");
      Objects.requireNonNull(unit, "unit");
    }

    /** Progress in bytes, the usual unit. */
    public Progress(String task, long done, long total) {
      this(task, done, total, Unit.BYTES);
    }

    /** What {@link #done()} and {@link #total()} count. */
    public enum Unit {
      /** Bytes. */
      BYTES,
      /** Files. */
      FILES,
      /** Image layers. */
      LAYERS
    }
  }

  /**
   * One line a command printed (stdout and stderr combined).
   *
   * @param command the command's argument vector
   * @param line the line, without its line break
   */
  record CommandOutput(List<String> command, String line) implements KairosEvent {
    /** Copies the command line. */
    public CommandOutput {
      command = List.copyOf(command);
      Objects.requireNonNull(line, "line");
    }
  }

  /**
   * A result reused from a cache instead of being made again (a blob, a base image).
   *
   * @param what what was reused, e.g. a blob or a base image
   * @param key the cache key it was found under, such as a digest
   */
  record CacheHit(String what, String key) implements KairosEvent {
    /** Checks that both are given. */
    public CacheHit {
      Objects.requireNonNull(what, "what");
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * A message for humans.
   *
   * @param level how severe the message is
   * @param message the message
   */
  record Log(Level level, String message) implements KairosEvent {
    /** Checks that both are given. */
    public Log {
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(message, "message");
    }
  }

  /** Severity of a {@link Log} event. */
  enum Level {
    /** Details for whoever debugs a build. */
    DEBUG,
    /** What the build does. */
    INFO,
    /** Something that may be wrong. */
    WARN,
    /** Something that failed. */
    ERROR
  }
}
