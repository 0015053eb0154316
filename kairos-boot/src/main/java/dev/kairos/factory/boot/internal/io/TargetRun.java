package dev.kairos.factory.boot.internal.io;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.image.Artifact;
import java.io.IOException;
import java.time.Duration;

/** How every boot target reports its run: a step started, the work, a step finished with its time. */
public final class TargetRun {
  private TargetRun() {}

  /** The work of one target. */
  @FunctionalInterface
  public interface Body {
    /** Makes the artifact. */
    Artifact run() throws IOException;
  }

  /** Runs {@code body} between the step's started and finished events. */
  public static Artifact step(EventListener events, String step, String description, Body body) throws IOException {
    long start = System.nanoTime();
    events.onEvent(new KairosEvent.StepStarted(step, description));
    Artifact a = body.run();
    events.onEvent(new KairosEvent.StepFinished(step, Duration.ofNanos(System.nanoTime() - start), false));
    return a;
  }
}
