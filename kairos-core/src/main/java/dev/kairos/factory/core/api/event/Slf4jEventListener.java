package dev.kairos.factory.core.api.event;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs events through SLF4J, for callers who want the library's events in their logs. Needs
 * {@code org.slf4j:slf4j-api} on the class path (an optional dependency of the core).
 *
 * <pre>{@code
 * Kairos.from(source).onEvent(new Slf4jEventListener())...
 * }</pre>
 */
public final class Slf4jEventListener implements EventListener {
  private final Logger logger;

  /** Logs to the logger named {@code dev.kairos.factory}. */
  public Slf4jEventListener() {
    this(LoggerFactory.getLogger("dev.kairos.factory"));
  }

  /**
   * Logs to {@code logger}: step starts and ends at info, progress, command output and cache hits at
   * debug, log events at their own level.
   */
  public Slf4jEventListener(Logger logger) {
    this.logger = logger;
  }

  @Override
  public void onEvent(KairosEvent event) {
    if (event instanceof KairosEvent.StepStarted e) {
      logger.info("{}: {}", e.step(), e.description());
    } else if (event instanceof KairosEvent.StepFinished e) {
      logger.info("{}: {} in {} ms", e.step(), e.skipped() ? "skipped" : "done", e.took().toMillis());
    } else if (event instanceof KairosEvent.Progress e) {
      logger.debug("{}: {}/{} bytes", e.task(), e.done(), e.total());
    } else if (event instanceof KairosEvent.CommandOutput e) {
      logger.debug("[{}] {}", e.command().isEmpty() ? "" : e.command().get(0), e.line());
    } else if (event instanceof KairosEvent.CacheHit e) {
      logger.debug("cache hit: {} {}", e.what(), e.key());
    } else if (event instanceof KairosEvent.Log e) {
      switch (e.level()) {
        case DEBUG -> logger.debug(e.message());
        case INFO -> logger.info(e.message());
        case WARN -> logger.warn(e.message());
        case ERROR -> logger.error(e.message());
      }
    }
  }
}
