package dev.kairos.factory.core.api.yip;

import dev.kairos.factory.core.api.StepFailedException;
import java.util.List;
import java.util.Objects;

/**
 * What a run of a stage did: one {@link StepResult} per planned step, in run order, and every
 * {@link YipEffect}. A failing step does not stop the others (yip's rule), so a report can hold
 * several failures; {@link #requireSuccess()} turns them into an exception.
 *
 * <pre>{@code
 * YipReport r = executor.run(root, "after-install", docs);
 * r.effects().forEach(System.out::println);   // doc.step: FILE_WRITTEN /etc/motd (0644 0:0, 6 bytes)
 * r.requireSuccess();
 * }</pre>
 *
 * @param stage the stage that ran
 * @param dryRun whether it was a dry run, which changes nothing and only reports the effects
 * @param steps the result of each planned step, in run order
 * @param effects every effect, in the order they happened
 */
public record YipReport(String stage, boolean dryRun, List<StepResult> steps, List<YipEffect> effects) {
  /** How one step ended. */
  public enum Status {
    /** Its conditionals passed and every key was applied without error. */
    APPLIED,
    /** A conditional was not met; never an error. */
    SKIPPED,
    /** At least one key failed; the others still ran. */
    FAILED
  }

  /**
   * The result of one step.
   *
   * @param id the step identifier
   * @param location where the step was written
   * @param status how it ended
   * @param reason for a skipped step, the conditional that was not met; else empty
   * @param errors what failed, one line each
   * @param notes warnings: keys not applicable at build time, conditions not evaluated in a dry run
   */
  public record StepResult(String id, YipLocation location, Status status, String reason, List<String> errors,
      List<String> notes) {
    /** Refuses {@code null} and copies the lists. */
    public StepResult {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(location, "location");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(reason, "reason");
      errors = List.copyOf(errors);
      notes = List.copyOf(notes);
    }
  }

  /** Copies the lists. */
  public YipReport {
    Objects.requireNonNull(stage, "stage");
    steps = List.copyOf(steps);
    effects = List.copyOf(effects);
  }

  /** Whether no step failed. */
  public boolean succeeded() {
    return steps.stream().noneMatch(s -> s.status() == Status.FAILED);
  }

  /** The failed steps. */
  public List<StepResult> failures() {
    return steps.stream().filter(s -> s.status() == Status.FAILED).toList();
  }

  /** Returns this report if no step failed, else throws naming the first failed step and listing all errors. */
  public YipReport requireSuccess() throws StepFailedException {
    List<StepResult> failed = failures();
    if (failed.isEmpty()) {
      return this;
    }
    StringBuilder b = new StringBuilder();
    for (StepResult s : failed) {
      for (String e : s.errors()) {
        b.append("\n  ").append(s.id()).append(" (").append(s.location()).append("): ").append(e);
      }
    }
    throw new StepFailedException(failed.get(0).id(), failed.size() + " of " + steps.size() + " steps of stage "
        + stage + " failed:" + b, null);
  }
}
