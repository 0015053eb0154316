package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The time of each top-level step of a run (pipeline steps, pulls, artifacts), from the step
 * events: a step that starts inside another (a yip step inside a stage extension) is counted in
 * its parent only, so the times add up to the run. Feeds the step lines of the progress, the
 * summary of the slowest steps at the end of a build, and the {@code steps} of its JSON result.
 */
final class StepTimes implements EventListener {
  /** How many steps the summary names. */
  static final int SLOWEST = 5;

  /**
   * One top-level step that ended.
   *
   * @param step its name, as in its events
   * @param took how long it ran (zero when skipped)
   * @param skipped whether it was asked not to run
   */
  record Timed(String step, Duration took, boolean skipped) {}

  private final Deque<String> open = new ArrayDeque<>();
  private final List<Timed> done = new ArrayList<>();

  @Override
  public void onEvent(KairosEvent event) {
    record(event);
  }

  /**
   * Takes one event; returns the step it ended when that was a top-level step (one not started
   * inside another), else null. A skipped pipeline step ends without having started.
   */
  synchronized Timed record(KairosEvent event) {
    if (event instanceof KairosEvent.StepStarted s) {
      open.push(s.step());
      return null;
    }
    if (!(event instanceof KairosEvent.StepFinished f)) {
      return null;
    }
    if (!open.isEmpty() && open.peek().equals(f.step())) {
      open.pop();
    } else if (!f.skipped()) {
      return null; // an end whose start we did not see: not ours to count
    }
    if (!open.isEmpty()) {
      return null; // nested: its time is in its parent's
    }
    Timed t = new Timed(f.step(), f.skipped() ? Duration.ZERO : f.took(), f.skipped());
    done.add(t);
    return t;
  }

  /** The top-level steps that ended, in the order they ended. */
  synchronized List<Timed> steps() {
    return List.copyOf(done);
  }

  /** The {@code n} slowest steps that ran, slowest first (ties in the order they ran). */
  synchronized List<Timed> slowest(int n) {
    return done.stream().filter(t -> !t.skipped()).sorted(Comparator.comparing(Timed::took).reversed())
        .limit(n).toList();
  }

  /** E.g. {@code "installPackages 63.2 s, initrd 41.0 s, installKernel 20.3 s"}; empty when nothing ran. */
  String summary() {
    return slowest(SLOWEST).stream().map(t -> t.step() + " " + seconds(t.took()))
        .collect(Collectors.joining(", "));
  }

  /** The steps for a JSON result: {@code step}, {@code seconds} and {@code skipped} each. */
  List<Map<String, Object>> json() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Timed t : steps()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", t.step());
      m.put("seconds", t.took().toNanos() / 1e9);
      m.put("skipped", t.skipped());
      out.add(m);
    }
    return out;
  }

  /** A duration as the progress prints it, e.g. {@code "63.2 s"}. */
  static String seconds(Duration d) {
    return ProgressRenderer.seconds(d.toMillis());
  }
}
