package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.BuildOptions;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.yip.YipExecutor;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What every step sees: the image, how to run commands in it, where events go, the options, the
 * detected distro and its strategy, and the framework and provider trees to overlay.
 *
 * @param framework the framework's root, when there is one
 * @param providerTrees each provider's binaries, by provider name, when given
 * @param extensions runs stage extensions; {@link StageExtensions#NONE} when they are off
 * @param sourceDate the build's timestamp (also in every command's {@code SOURCE_DATE_EPOCH})
 * @param replay the lock the install steps are held to, if any
 * @param parallelDownloads how many package files the install steps fetch at a time before each
 *     install ({@link PackagePrefetch}); 0 leaves the downloads to the package manager
 */
record StepContext(RootFs root, CommandRunner runner, EventListener events, BuildOptions options,
    DistroInfo distro, DistroStrategy strategy, Optional<RootFs> framework, Map<String, RootFs> providerTrees,
    StageExtensions extensions, String initVersion, SourceDate sourceDate, LockSteps.Replay replay,
    int parallelDownloads) {

  StepContext {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(runner, "runner");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(distro, "distro");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(sourceDate, "sourceDate");
    Objects.requireNonNull(replay, "replay");
    if (parallelDownloads < 0) {
      throw new IllegalArgumentException("parallelDownloads must be 0 or more, got " + parallelDownloads);
    }
    providerTrees = Map.copyOf(providerTrees);
  }

  /** Runs {@code cmd} in the image, its output lines going to the events; a failure throws. */
  CommandResult run(Command cmd) throws IOException {
    events.log(KairosEvent.Level.DEBUG, "run: " + cmd);
    return runner.run(root, cmd.toBuilder().output(events).build()).requireSuccess();
  }

  /** Runs {@code cmd} and returns its result whatever the exit code. */
  CommandResult probe(Command cmd) throws IOException {
    return runner.run(root, cmd.toBuilder().output(EventListener.NONE).build());
  }

  /**
   * A yip executor for this image: the runner, its architecture, the distro's package manager;
   * its events go to {@code listener}.
   */
  YipExecutor yip(EventListener listener) throws IOException {
    YipExecutor.Builder b = YipExecutor.builder().runner(runner).architecture(options.arch().id())
        .sourceDate(sourceDate).onEvent(listener);
    if (distro.family() != Family.HADRON) {
      b.packageManager(strategy.packageManager(distro));
    }
    return b.build();
  }

  /** The PRETTY_NAME (kairos-init's {@code only_os} conditions match it). */
  String prettyName() {
    return distro.prettyName();
  }

  boolean osMatches(String regex) {
    return java.util.regex.Pattern.compile(regex).matcher(prettyName()).find();
  }
}
