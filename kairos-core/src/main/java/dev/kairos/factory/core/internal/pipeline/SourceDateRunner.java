package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.CommandRunner;
import java.io.IOException;
import java.util.Objects;

/**
 * Gives every command the build runs in the image {@code SOURCE_DATE_EPOCH}, so that the tools
 * that honour it (dracut's cpio, man-db, python's byte-compiler, gzip and friends in package
 * scripts) write the build's source date instead of the clock. A command that sets the variable
 * itself keeps its own value. A date before the second day of 1970 (SOURCE_DATE_EPOCH=0, given on purpose)
 * is given as that day (see {@link SourceDate#commandEpoch()}).
 */
final class SourceDateRunner implements CommandRunner {
  private final CommandRunner delegate;
  private final String epochSeconds;

  SourceDateRunner(CommandRunner delegate, SourceDate date) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.epochSeconds = date.commandEpoch();
  }

  @Override
  public CommandResult run(RootFs root, Command command) throws IOException {
    if (command.env().containsKey(SourceDate.ENVIRONMENT_VARIABLE)) {
      return delegate.run(root, command);
    }
    return delegate.run(root, command.toBuilder().env(SourceDate.ENVIRONMENT_VARIABLE, epochSeconds).build());
  }

  @Override
  public String name() {
    return delegate.name();
  }
}
