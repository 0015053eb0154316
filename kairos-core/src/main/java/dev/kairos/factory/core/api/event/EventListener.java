package dev.kairos.factory.core.api.event;

import java.util.List;

/**
 * Receives {@link KairosEvent}s. Called on the thread that does the work, so it should return
 * quickly; an exception it throws is not the library's to handle and propagates.
 */
@FunctionalInterface
public interface EventListener {
  /** A listener that drops every event. */
  EventListener NONE = event -> {};

  /** Receives one event, on the thread that raised it. */
  void onEvent(KairosEvent event);

  /** A listener that passes each event to every one of {@code listeners}, in order. */
  static EventListener all(List<EventListener> listeners) {
    List<EventListener> copy = List.copyOf(listeners);
    return event -> copy.forEach(l -> l.onEvent(event));
  }

  /** Reports a log message. */
  default void log(KairosEvent.Level level, String message) {
    onEvent(new KairosEvent.Log(level, message));
  }
}
