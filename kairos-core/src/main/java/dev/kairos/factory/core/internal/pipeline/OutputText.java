package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;

/**
 * Collects the lines a command prints (its {@link KairosEvent.CommandOutput} events), one
 * {@code \n} after each, up to a number of characters: a listener to give the command, then its
 * text. Lines past the limit are dropped whole.
 */
final class OutputText implements EventListener {
  private final StringBuilder text = new StringBuilder();
  private final int maxChars;

  /** Keeps lines while fewer than {@code maxChars} characters are kept. */
  OutputText(int maxChars) {
    this.maxChars = maxChars;
  }

  @Override
  public void onEvent(KairosEvent event) {
    if (event instanceof KairosEvent.CommandOutput line && text.length() < maxChars) {
      text.append(line.line()).append('\n');
    }
  }

  /** What was kept. */
  String text() {
    return text.toString();
  }
}
