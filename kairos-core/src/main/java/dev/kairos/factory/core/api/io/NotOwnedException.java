package dev.kairos.factory.core.api.io;

import dev.kairos.factory.core.api.KairosException;
import java.nio.file.Path;

/**
 * A directory given as a work directory is not one the library may use: it exists, is not
 * empty and carries no {@link OwnedDirectory#MARKER} (so it holds someone's files), or it is the
 * root or the output of the same run. Nothing in it was changed.
 */
public class NotOwnedException extends KairosException {
  private static final long serialVersionUID = 1L;
  private final transient Path path;

  /**
   * @param path the directory that was refused
   * @param reason why, for humans
   */
  public NotOwnedException(Path path, String reason) {
    super(path + ": " + reason);
    this.path = path;
  }

  /** The directory that was refused. */
  public Path path() {
    return path;
  }
}
