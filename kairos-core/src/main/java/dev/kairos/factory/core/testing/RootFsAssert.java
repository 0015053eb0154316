package dev.kairos.factory.core.testing;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a whole root file system; each {@code has...} checks that one path exists with
 * the right type and returns a {@link RootFsEntryAssert} for its metadata and content. Paths are
 * in-image paths, resolved as in a chroot; {@code hasFile} and {@code hasDirectory} follow
 * symlinks ({@code test -f}, {@code test -d}), the others look at the path itself. Start with
 * {@link RootFsAssertions#assertThat(RootFs)}.
 */
public final class RootFsAssert extends AbstractAssert<RootFsAssert, RootFs> {
  RootFsAssert(RootFs actual) {
    super(actual, RootFsAssert.class);
  }

  /** A regular file is at {@code path}, following symlinks. */
  public RootFsEntryAssert hasFile(String path) {
    return following(path, FileType.REGULAR);
  }

  /** A directory is at {@code path}, following symlinks. */
  public RootFsEntryAssert hasDirectory(String path) {
    return following(path, FileType.DIRECTORY);
  }

  /** A symlink is at {@code path} (a final link is not followed), whatever its target. */
  public RootFsEntryAssert hasSymlink(String path) {
    return itself(path, FileType.SYMLINK);
  }

  /** A symlink is at {@code path} and its target is exactly {@code target}. */
  public RootFsEntryAssert hasSymlink(String path, String target) {
    RootFsEntryAssert entry = hasSymlink(path);
    String actualTarget = io(() -> actual.readSymlink(ImagePath.of(path)));
    if (!actualTarget.equals(target)) {
      failWithMessage("expected %s to be a symlink to <%s> but it points to <%s>", path, target, actualTarget);
    }
    return entry;
  }

  /** A character device with these numbers is at {@code path}. */
  public RootFsEntryAssert hasCharDevice(String path, int major, int minor) {
    return device(path, FileType.CHAR_DEVICE, major, minor);
  }

  /** A block device with these numbers is at {@code path}. */
  public RootFsEntryAssert hasBlockDevice(String path, int major, int minor) {
    return device(path, FileType.BLOCK_DEVICE, major, minor);
  }

  /** A FIFO is at {@code path}. */
  public RootFsEntryAssert hasFifo(String path) {
    return itself(path, FileType.FIFO);
  }

  /** {@code path} and {@code other} are names of the same file (hardlinks). */
  public RootFsAssert hasHardlinks(String path, String other) {
    itself(path, FileType.REGULAR);
    itself(other, FileType.REGULAR);
    boolean same = io(() -> Files.isSameFile(actual.hostPath(ImagePath.of(path), false),
        actual.hostPath(ImagePath.of(other), false)));
    if (!same) {
      failWithMessage("expected %s and %s to be hardlinks of one file, but they are different files", path, other);
    }
    return this;
  }

  /** Nothing is at {@code path}, not even a dangling symlink. */
  public RootFsAssert doesNotExist(String path) {
    Optional<FileMetadata> m = io(() -> actual.stat(ImagePath.of(path)));
    if (m.isPresent()) {
      failWithMessage("expected nothing at %s but found %s", path, m.get());
    }
    return this;
  }

  private RootFsEntryAssert device(String path, FileType type, int major, int minor) {
    RootFsEntryAssert entry = itself(path, type);
    FileMetadata m = io(() -> actual.metadata(ImagePath.of(path)));
    if (m.deviceMajor() != major || m.deviceMinor() != minor) {
      failWithMessage("expected %s to be device %d,%d but it is %d,%d", path, major, minor, m.deviceMajor(), m.deviceMinor());
    }
    return entry;
  }

  private RootFsEntryAssert following(String path, FileType type) {
    ImagePath real = io(() -> actual.realPath(ImagePath.of(path), true));
    return check(path, real, type);
  }

  private RootFsEntryAssert itself(String path, FileType type) {
    return check(path, ImagePath.of(path), type);
  }

  private RootFsEntryAssert check(String asked, ImagePath path, FileType type) {
    isNotNull();
    Optional<FileMetadata> m = io(() -> actual.stat(path));
    if (m.isEmpty()) {
      failWithMessage("expected a %s at %s but nothing is there", name(type), asked);
    }
    if (m.get().type() != type) {
      failWithMessage("expected a %s at %s but found %s", name(type), asked, m.get());
    }
    return new RootFsEntryAssert(this, actual, asked, path, m.get());
  }

  private static String name(FileType t) {
    return t.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }

  @FunctionalInterface
  interface IoCall<T> {
    T call() throws IOException;
  }

  /** Runs a file-system read; an I/O error fails the assertion with the error as its cause. */
  static <T> T io(IoCall<T> call) {
    try {
      return call.call();
    } catch (IOException e) {
      throw new AssertionError("could not read the root file system: " + e, e);
    }
  }
}
