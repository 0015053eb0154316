package dev.kairos.factory.core.api.io;

import dev.kairos.factory.core.api.KairosException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Another run holds the lock of a work directory or an output ({@link ExclusiveLock}); nothing
 * was changed. The message reads "PATH: in use by pid N".
 */
public class InUseException extends KairosException {
  private static final long serialVersionUID = 1L;
  private final transient Path path;
  /** The holder's process id, or -1 when its lock file did not say. */
  private final long pid;

  /**
   * @param path the work directory or output that is locked
   * @param pid the holder's process id, or -1 when the lock file did not say
   */
  public InUseException(Path path, long pid) {
    super(path + ": in use by " + (pid > 0 ? "pid " + pid : "another process"));
    this.path = path;
    this.pid = pid;
  }

  /** The work directory or output that is locked. */
  public Path path() {
    return path;
  }

  /** The process holding the lock, when its lock file names it. */
  public OptionalLong pid() {
    return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
  }
}
