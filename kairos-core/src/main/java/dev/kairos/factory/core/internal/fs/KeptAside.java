package dev.kairos.factory.core.internal.fs;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * Makes way for a file of ours at a path of an image for a while, and puts the image's own back
 * after: the install phase's temporary files (a {@code policy-rc.d}, install shims) and the
 * sandbox runner's {@code resolv.conf} and {@code policy-rc.d} around each command.
 *
 * <p>The state lives in the image, not in memory: {@code DIR/.NAME.<holder>} holds the image's
 * own file (or symlink) while ours is in place, or, when the image had none, is a symlink to
 * {@value #NOTHING} that says so. Hence the two halves can run in separate actions, a put-back
 * whose make-way never ran leaves the image alone, and a run killed between them (SIGKILL) is
 * mended by the next one on the same root, with no guess from a file's content. Each holder keeps
 * aside under a name of its own, so two can hold one path at once (the install phase's
 * {@code policy-rc.d}, then the runner's around each command of that install).
 */
public final class KeptAside {
  /** The target of the marker that says the image had nothing at the path. */
  static final String NOTHING = "(kairos: nothing was here)";

  private final String holder;

  private KeptAside(String holder) {
    this.holder = holder;
  }

  /**
   * The keeper for one holder of temporary files.
   *
   * @param holder the suffix of the names aside, e.g. {@code kairos-kept}
   */
  public static KeptAside by(String holder) {
    Objects.requireNonNull(holder, "holder");
    if (!holder.matches("[a-z][a-z0-9-]*")) {
      throw new IllegalArgumentException("a holder is lower-case letters, digits and dashes, got '" + holder + "'");
    }
    return new KeptAside(holder);
  }

  /** Where the image's own file at {@code path} waits (or the marker that it had none): {@code DIR/.NAME.<holder>}. */
  public ImagePath aside(ImagePath path) {
    return path.parent().resolve("." + path.fileName() + "." + holder);
  }

  /**
   * Empties {@code path} for a file of ours: the image's own file (a symlink is moved, not
   * followed) goes aside, or a marker records that there was none. What a killed run left there is
   * undone first (with a warning), so that our file left at the path is never taken for the image's.
   */
  public void makeWay(RootFs root, ImagePath path, EventListener events) throws IOException {
    if (putBack(root, path)) {
      events.log(KairosEvent.Level.WARN, "restored " + path + " as it was before an earlier run that did not finish");
    }
    ImagePath aside = aside(path);
    if (root.exists(path)) {
      Files.move(root.hostPath(path, false), root.hostPath(aside, false), StandardCopyOption.ATOMIC_MOVE);
    } else {
      root.createDirectories(path.parent()); // as the write of ours would
      root.createSymlink(aside, NOTHING);
    }
  }

  /**
   * Removes ours from {@code path} and puts the image's own back (or leaves nothing, if it had
   * none). Nothing happens when {@link #makeWay} did not run for this path. Returns whether it did.
   */
  public boolean putBack(RootFs root, ImagePath path) throws IOException {
    ImagePath aside = aside(path);
    if (!root.exists(aside)) {
      return false;
    }
    Path hostAside = root.hostPath(aside, false);
    boolean hadNone = Files.isSymbolicLink(hostAside) && root.readSymlink(aside).equals(NOTHING);
    root.deleteRecursively(path);
    if (hadNone) {
      root.delete(aside);
    } else {
      Files.move(hostAside, root.hostPath(path, false), StandardCopyOption.ATOMIC_MOVE);
    }
    return true;
  }
}
