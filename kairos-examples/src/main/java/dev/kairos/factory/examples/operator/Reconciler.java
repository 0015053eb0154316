package dev.kairos.factory.examples.operator;

import dev.kairos.factory.examples.operator.OsArtifacts.Phase;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One OSArtifact's next step, decided from what the cluster holds and nothing else: no client,
 * no clock, no I/O. The controller observes, asks {@link #decide}, and carries out the actions in
 * order; the next event (a Job's status, the resource's own status) brings it back here. The
 * flow and the phases are the Kairos Operator's: Pending, then Building while the builder Job
 * runs, then Exporting while the exporter Jobs run (all at once, each without retries by
 * default), then Ready; Error as soon as anything fails, with the reason in {@code status.message}.
 */
public final class Reconciler {
  /** A status message longer than this is cut (its tail kept: a build log's end says what failed). */
  static final int MAX_MESSAGE = 2048;

  private final String image;

  /** @param image our image, which the builder Job runs */
  public Reconciler(String image) {
    this.image = image;
  }

  /**
   * What the controller saw of one OSArtifact and what it made for it (only objects that carry
   * our label and owner reference).
   *
   * @param name the OSArtifact's name
   * @param namespace its namespace
   * @param uid its uid
   * @param spec its spec as the API server holds it
   * @param phase {@code status.phase}, or null when not set yet
   * @param message {@code status.message}, or null
   * @param deleting whether it has a deletion timestamp
   * @param finalizer whether it holds our finalizer
   * @param pvc the artifacts PVC, if made
   * @param builder the builder Job, if made
   * @param builderPods the builder Job's pods
   * @param exporters the exporter Jobs made, by their index
   */
  public record Observed(String name, String namespace, String uid, Map<String, Object> spec, Phase phase,
      String message, boolean deleting, boolean finalizer, Optional<PersistentVolumeClaim> pvc, Optional<Job> builder,
      List<Pod> builderPods, Map<Integer, Job> exporters) {
    public Observed {
      spec = spec == null ? Map.of() : spec;
      builderPods = List.copyOf(builderPods);
      exporters = Map.copyOf(exporters);
    }
  }

  /** What the controller is to do. */
  public sealed interface Action {
    /** Put our finalizer on the OSArtifact. */
    record AddFinalizer() implements Action {}

    /** Take our finalizer off: the OSArtifact may go. */
    record RemoveFinalizer() implements Action {}

    /** Create this object (a PVC or a Job); one that exists already is left as it is. */
    record Create(HasMetadata object) implements Action {}

    /** Delete this object of ours (its pods with it). */
    record Delete(HasMetadata object) implements Action {}

    /** Write {@code status.phase} and {@code status.message}. */
    record SetStatus(Phase phase, String message) implements Action {}
  }

  /** The actions that bring the cluster one step on for {@code o}; none when there is nothing to do. */
  public List<Action> decide(Observed o) {
    List<Action> actions = new ArrayList<>();
    if (o.deleting()) {
      if (o.finalizer()) {
        // Children first, then the finalizer: an OSArtifact never goes while its Jobs still run.
        o.exporters().values().forEach(j -> actions.add(new Action.Delete(j)));
        o.builder().ifPresent(j -> actions.add(new Action.Delete(j)));
        o.pvc().ifPresent(p -> actions.add(new Action.Delete(p)));
        actions.add(new Action.RemoveFinalizer());
      }
      return actions;
    }
    if (!o.finalizer()) {
      actions.add(new Action.AddFinalizer());
    }
    if (o.phase() != null && o.phase().terminal()) {
      return actions;
    }
    ArtifactRequest r = ArtifactRequest.parse(o.spec());
    Manifests m = new Manifests(o.name(), o.namespace(), o.uid(), image);
    if (!r.buildable()) {
      status(actions, o, Phase.Error, refusal(r));
      return actions;
    }
    if (o.phase() == null) {
      status(actions, o, Phase.Pending, "accepted: kairos-factory will run " + describe(r, m));
      return actions;
    }
    if (o.phase() == Phase.Exporting) {
      exporting(o, r, m, actions);
      return actions;
    }
    if (o.builder().isEmpty()) {
      if (o.pvc().isEmpty()) {
        actions.add(new Action.Create(m.pvc(r)));
      }
      actions.add(new Action.Create(m.builder(r)));
      status(actions, o, Phase.Building, "builder job " + m.builderName() + " runs " + describe(r, m));
      return actions;
    }
    Job builder = o.builder().get();
    if (succeeded(builder)) {
      if (r.exporters().isEmpty()) {
        status(actions, o, Phase.Ready, "built; the artifacts are in PVC " + m.pvcName() + " (no exporters)");
      } else {
        status(actions, o, Phase.Exporting, "built; exporting with " + r.exporters().size() + " job(s)");
        for (int i = 0; i < r.exporters().size(); i++) {
          actions.add(new Action.Create(m.exporter(r, i)));
        }
      }
    } else if (failed(builder)) {
      status(actions, o, Phase.Error, "builder job " + builder.getMetadata().getName() + " failed: "
          + podFailure(o.builderPods()).orElse(jobFailure(builder)));
    } else if (o.phase() != Phase.Building) {
      status(actions, o, Phase.Building, "builder job " + m.builderName() + " runs " + describe(r, m));
    }
    return actions;
  }

  private void exporting(Observed o, ArtifactRequest r, Manifests m, List<Action> actions) {
    int done = 0;
    for (int i = 0; i < r.exporters().size(); i++) {
      Job j = o.exporters().get(i);
      if (j == null) {
        actions.add(new Action.Create(m.exporter(r, i)));
      } else if (succeeded(j)) {
        done++;
      } else if (failed(j)) {
        status(actions, o, Phase.Error, "exporter job " + j.getMetadata().getName() + " failed: " + jobFailure(j));
        return;
      }
    }
    if (done == r.exporters().size()) {
      status(actions, o, Phase.Ready, "built and exported (" + done + " exporter job(s) succeeded)");
    }
  }

  /** A status change, or nothing when the status says so already (no write, no event loop). */
  private static void status(List<Action> actions, Observed o, Phase phase, String message) {
    String m = cap(message);
    if (phase != o.phase() || !m.equals(o.message())) {
      actions.add(new Action.SetStatus(phase, m));
    }
  }

  /** The refusal of a request: the fields not supported, by path, and the values that are wrong. */
  static String refusal(ArtifactRequest r) {
    StringBuilder b = new StringBuilder();
    if (!r.unsupported().isEmpty()) {
      b.append("not supported by this controller (kairos-factory): ").append(String.join(", ", r.unsupported()))
          .append("; remove them or use the Kairos Operator");
    }
    if (!r.problems().isEmpty()) {
      b.append(b.length() == 0 ? "" : "; ").append("invalid: ").append(String.join("; ", r.problems()));
    }
    return b.toString();
  }

  private static String describe(ArtifactRequest r, Manifests m) {
    StringBuilder b = new StringBuilder();
    for (List<String> c : new BuildCommands(Manifests.ARTIFACTS, Manifests.WORK + "/build", null, null)
        .of(r, m.name())) {
      b.append(b.length() == 0 ? "" : ", then ").append(c.get(0)).append(' ').append(c.get(1).startsWith("-")
          ? c.get(2) : c.get(1));
    }
    return b.toString();
  }

  static boolean succeeded(Job j) {
    return j.getStatus() != null && (j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() > 0
        || condition(j, "Complete").isPresent());
  }

  static boolean failed(Job j) {
    if (condition(j, "Failed").isPresent() || condition(j, "FailureTarget").isPresent()) {
      return true;
    }
    // Without a condition yet: more failed pods than the Job allows retries.
    Integer backoff = j.getSpec() == null ? null : j.getSpec().getBackoffLimit();
    Integer failedPods = j.getStatus() == null ? null : j.getStatus().getFailed();
    return failedPods != null && failedPods > (backoff == null ? 6 : backoff);
  }

  private static Optional<JobCondition> condition(Job j, String type) {
    if (j.getStatus() == null || j.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return j.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
  }

  /** The failed Job's own reason (e.g. BackoffLimitExceeded, DeadlineExceeded). */
  static String jobFailure(Job j) {
    Optional<JobCondition> c = condition(j, "Failed").or(() -> condition(j, "FailureTarget"));
    if (c.isPresent()) {
      String reason = c.get().getReason();
      String message = c.get().getMessage();
      return message != null && !message.isEmpty() ? (reason != null ? reason + ": " : "") + message
          : reason != null ? reason : "failed";
    }
    return "failed";
  }

  /**
   * What the failed builder pod says: the first container (init containers first, in order) that
   * ended non-zero, with its termination message (the log's tail), exit code and reason; else the
   * pod's own message (e.g. evicted).
   */
  static Optional<String> podFailure(List<Pod> pods) {
    for (Pod p : pods) {
      if (p.getStatus() == null || !"Failed".equals(p.getStatus().getPhase())) {
        continue;
      }
      List<ContainerStatus> statuses = new ArrayList<>();
      if (p.getStatus().getInitContainerStatuses() != null) {
        statuses.addAll(p.getStatus().getInitContainerStatuses());
      }
      if (p.getStatus().getContainerStatuses() != null) {
        statuses.addAll(p.getStatus().getContainerStatuses());
      }
      for (ContainerStatus s : statuses) {
        ContainerStateTerminated t = s.getState() == null ? null : s.getState().getTerminated();
        if (t != null && t.getExitCode() != null && t.getExitCode() != 0) {
          String text = t.getMessage() != null && !t.getMessage().isBlank() ? t.getMessage().strip()
              : t.getReason() != null ? t.getReason() : "no message";
          return Optional.of("pod " + p.getMetadata().getName() + ", container " + s.getName() + " exited "
              + t.getExitCode() + ": " + text);
        }
      }
      String text = p.getStatus().getMessage() != null ? p.getStatus().getMessage() : p.getStatus().getReason();
      if (text != null) {
        return Optional.of("pod " + p.getMetadata().getName() + ": " + text);
      }
    }
    return Optional.empty();
  }

  /** {@code s} cut to {@link #MAX_MESSAGE}, keeping its end. */
  static String cap(String s) {
    return s.length() <= MAX_MESSAGE ? s : "..." + s.substring(s.length() - MAX_MESSAGE + 3);
  }
}
