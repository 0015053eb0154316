package dev.kairos.factory.core.api.io;

import dev.kairos.factory.core.api.KairosException;
import java.nio.file.Path;

/**
 * A deletion was refused because it would have reached something the library did not create: a
 * mounted file system inside the tree (named by {@link #blocker()}), or a path the caller
 * protected (the run's root or output). Nothing was deleted when this is thrown before the walk;
 * a file system change found during the walk stops it there.
 */
public class UnsafeDeletionException extends KairosException {
  private static final long serialVersionUID = 1L;
  private final transient Path path;
  private final transient Path blocker;

  /**
   * @param path the tree that was to be deleted
   * @param blocker the mount point or protected path inside it
   * @param reason why the blocker stops the deletion, for humans
   */
  public UnsafeDeletionException(Path path, Path blocker, String reason) {
    super(path + ": not deleted: " + blocker + " " + reason);
    this.path = path;
    this.blocker = blocker;
  }

  /** The tree that was to be deleted. */
  public Path path() {
    return path;
  }

  /** The mount point or protected path that stopped the deletion. */
  public Path blocker() {
    return blocker;
  }
}
