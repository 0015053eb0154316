package dev.kairos.factory.core.api;

import dev.kairos.factory.core.api.fs.ImagePath;
import java.util.List;
import java.util.Objects;

/**
 * What a build will do, step by step, before it does it: the concrete packages, files and
 * commands (a dry run). Immutable; {@link #toString()} prints it.
 *
 * <pre>{@code
 * BuildPlan plan = Kairos.fromRoot(root).version("v1.0.0").plan();
 * System.out.println(plan);                   // steps, with their actions
 * plan.basePackages();                        // [file, gawk, ..., dracut, dracut-live, ...]
 * plan.step("grub").orElseThrow().files();    // [/etc/cos/grub.cfg, /etc/cos/bootargs.cfg]
 * }</pre>
 *
 * <p>The init phase is planned against the image as it is when {@code plan()} is called: a kernel
 * the install phase is going to install shows as chosen later. A real build plans the init phase
 * again when it starts.
 */
public final class BuildPlan {
  /**
   * One step (or the stage extensions of one stage) with what it will do.
   *
   * @param name the step's {@code steps-info} name, or {@code extensions:<stage>}
   * @param skipped whether the options skip it
   * @param actions one line per action, in order
   * @param files the in-image files it writes (those known before it runs)
   * @param commands the commands it runs inside the image
   * @param phase the phase the step belongs to
   */
  public record PlannedStep(String name, Phase phase, boolean skipped, List<String> actions, List<ImagePath> files,
      List<List<String>> commands) {
    /** Copies the lists, so the step does not change when the caller's lists do. */
    public PlannedStep {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(phase, "phase");
      actions = List.copyOf(actions);
      files = List.copyOf(files);
      commands = commands.stream().map(List::copyOf).toList();
    }
  }

  private final BuildOptions options;
  private final String distro;
  private final List<String> basePackages;
  private final List<String> kernelPackages;
  private final List<PlannedStep> steps;

  /** Made by the pipeline; see {@link ImageBuilder#plan()}. */
  public BuildPlan(BuildOptions options, String distro, List<String> basePackages, List<String> kernelPackages,
      List<PlannedStep> steps) {
    this.options = Objects.requireNonNull(options, "options");
    this.distro = Objects.requireNonNull(distro, "distro");
    this.basePackages = List.copyOf(basePackages);
    this.kernelPackages = List.copyOf(kernelPackages);
    this.steps = List.copyOf(steps);
  }

  /** The options the plan was made for. */
  public BuildOptions options() {
    return options;
  }

  /** The detected distro, e.g. {@code debian 12 (debian, amd64, systemd)}. */
  public String distro() {
    return distro;
  }

  /** The packages {@code installPackages} installs. */
  public List<String> basePackages() {
    return basePackages;
  }

  /** The packages {@code installKernel} installs. */
  public List<String> kernelPackages() {
    return kernelPackages;
  }

  /** Every step and extension stage, in run order, skipped ones included. */
  public List<PlannedStep> steps() {
    return steps;
  }

  /** The planned step named {@code name}. */
  public java.util.Optional<PlannedStep> step(String name) {
    return steps.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** Every command the build will run, in order (skipped steps excluded). */
  public List<List<String>> commands() {
    return steps.stream().filter(s -> !s.skipped()).flatMap(s -> s.commands().stream()).toList();
  }

  /** Every file the build will write that is known in advance, in order (skipped steps excluded). */
  public List<ImagePath> files() {
    return steps.stream().filter(s -> !s.skipped()).flatMap(s -> s.files().stream()).toList();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append("Kairos build of ").append(distro).append('\n').append("options: ").append(options).append('\n');
    b.append("base packages: ").append(String.join(" ", basePackages)).append('\n');
    b.append("kernel packages: ").append(String.join(" ", kernelPackages)).append('\n');
    for (PlannedStep s : steps) {
      b.append('[').append(s.phase()).append("] ").append(s.name()).append(s.skipped() ? " (skipped)" : "").append('\n');
      for (String a : s.actions()) {
        b.append("    ").append(a).append('\n');
      }
    }
    return b.toString();
  }
}
