package dev.kairos.factory.core.api.run;

import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;

/**
 * Runs commands inside an image: the one place where target binaries (package managers, dracut,
 * depmod) execute. Everything else the library does in Java. Implementations: the sandbox runner
 * for real builds (each command in namespaces of the build's own, see {@link Runners#chrootBuilder()})
 * and a recording runner for tests ({@link Runners}); a cross-architecture runner can come behind
 * the same interface.
 */
public interface CommandRunner {
  /**
   * Runs {@code command} with {@code root} as its root directory and waits for it. A non-zero exit
   * is a result, not an exception: call {@link CommandResult#requireSuccess()} where it must
   * succeed. Output lines go to {@link Command#output()} as they come.
   *
   * @throws IOException if the command could not be started or the environment not be set up
   *     (then nothing was run), or if the thread was interrupted (then it was stopped)
   */
  CommandResult run(RootFs root, Command command) throws IOException;

  /**
   * A short name for messages ("chroot", "recording").
   */
  String name();
}
