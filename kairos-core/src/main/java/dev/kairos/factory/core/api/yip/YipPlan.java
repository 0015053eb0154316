package dev.kairos.factory.core.api.yip;

import dev.kairos.factory.core.internal.yip.Planner;
import dev.kairos.factory.core.api.InvalidInputException;
import java.util.List;
import java.util.Objects;

/**
 * The steps of one stage across the documents of one source (a directory, a file), with their
 * identifiers and in the order they run: by file, then by position, with {@code after:} moving a
 * step behind the steps it names. This is what {@code kairos-agent run-stage -a} prints, and the
 * identifiers are the ones {@code after:} refers to.
 *
 * <p>Identifiers are {@code <root>.<step>}: root is the document's {@code name} (plain documents
 * that have one) or its source path; step is the step's {@code name}, or its index when unnamed;
 * if two steps of a stage in a document share a name, every step of that stage gets its index
 * appended ({@code a.0}, {@code b.1}, {@code a.2}). Identifiers still equal across documents
 * become {@code .1}, {@code .2}, ... in order.
 *
 * <pre>{@code
 * YipPlan plan = YipPlan.of("boot", Yip.lenient().load(Path.of("/oem")));
 * plan.steps().forEach(s -> System.out.println(s.id()));
 * }</pre>
 *
 * @param stage the stage planned
 * @param steps its steps, in the order they run
 */
public record YipPlan(String stage, List<PlannedStep> steps) {
  /**
   * One step with its identifier and the document it came from.
   *
   * @param id the step's identifier, as {@code after:} refers to it
   * @param document the document the step came from
   * @param step the step
   */
  public record PlannedStep(String id, YipDocument document, YipStep step) {
    /** Refuses {@code null}. */
    public PlannedStep {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(document, "document");
      Objects.requireNonNull(step, "step");
    }
  }

  /** Copies the steps. */
  public YipPlan {
    Objects.requireNonNull(stage, "stage");
    steps = List.copyOf(steps);
  }

  /**
   * Plans {@code stage} over {@code documents} of one source.
   *
   * @throws InvalidInputException if an {@code after:} names no step of the source, or the
   *     {@code after:} edges form a cycle (nothing of the source runs then)
   */
  public static YipPlan of(String stage, List<YipDocument> documents) throws InvalidInputException {
    return new YipPlan(stage, Planner.plan(stage, documents, true));
  }

  /** The steps of one document in list order, {@code after:} ignored (yip's in-memory apply path). */
  public static YipPlan sequential(String stage, YipDocument document) {
    try {
      return new YipPlan(stage, Planner.plan(stage, List.of(document), false));
    } catch (InvalidInputException e) {
      throw new IllegalStateException("ordering without after: cannot fail", e);
    }
  }
}
