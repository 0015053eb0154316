package dev.kairos.factory.distros.api;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.FsEntry;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A base image that is already a root file system in a directory (an unpacked tarball, a
 * previous build, a chroot made by other tools). Materialising copies it, so the original is
 * never changed: owners, the full mode, mtimes, xattrs, symlinks (verbatim), hardlinks and device
 * nodes are kept, contents are streamed.
 *
 * <pre>{@code
 * ImageSource base = DirectorySource.of(Path.of("/srv/rootfs/bookworm"));
 * RootFs root = base.materialize(work.resolve("rootfs"), EventListener.NONE);
 * }</pre>
 */
public final class DirectorySource implements ImageSource {
  private final Path directory;
  private final RootFs root;

  private DirectorySource(Path directory, RootFs root) {
    this.directory = directory;
    this.root = root;
  }

  /** The root file system in {@code directory} (read when materialised). */
  public static DirectorySource of(Path directory) {
    return new DirectorySource(Objects.requireNonNull(directory, "directory"), null);
  }

  /** An open root, with the owners and modes its metadata overlay holds (e.g. one in memory). */
  public static DirectorySource of(RootFs root) {
    return new DirectorySource(root.root(), Objects.requireNonNull(root, "root"));
  }

  @Override
  public String description() {
    return "dir:" + directory;
  }

  /**
   * Copies the tree into {@code target} (created if missing; it must be empty).
   *
   * @throws IllegalArgumentException if {@code target} is not empty
   * @throws NotDirectoryException if the source is not a directory
   */
  @Override
  public RootFs materialize(Path target, EventListener events) throws IOException {
    RootFs from = root != null ? root : RootFs.at(directory);
    if (!Files.isDirectory(directory)) {
      throw new NotDirectoryException(directory.toString());
    }
    if (Files.exists(target)) {
      try (Stream<Path> s = Files.list(target)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("directory must be empty: " + target);
        }
      }
    }
    Files.createDirectories(target);
    RootFs to = RootFs.at(target);
    // Directory metadata goes last, children first: writing a child changes its parent's mtime.
    List<Map.Entry<ImagePath, FileMetadata>> dirs = new ArrayList<>();
    long[] files = {0};
    from.walk(ImagePath.ROOT, e -> {
      copy(e, to);
      if (e.type() == FileType.DIRECTORY) {
        dirs.add(Map.entry(e.path(), e.metadata()));
      } else if (++files[0] % 1000 == 0) {
        events.onEvent(new KairosEvent.Progress("copy " + directory, files[0], -1, KairosEvent.Progress.Unit.FILES));
      }
    });
    for (int i = dirs.size() - 1; i >= 0; i--) {
      to.setMetadata(dirs.get(i).getKey(), dirs.get(i).getValue());
    }
    events.onEvent(new KairosEvent.Progress("copy " + directory, files[0], files[0], KairosEvent.Progress.Unit.FILES));
    return to;
  }

  private static void copy(FsEntry e, RootFs to) throws IOException {
    ImagePath p = e.path();
    if (e.hardlinkOf().isPresent()) {
      to.createHardlink(p, e.hardlinkOf().get());
      return;
    }
    switch (e.type()) {
      case DIRECTORY -> {
        if (!p.isRoot()) {
          to.createDirectory(p, e.metadata());
        }
      }
      case REGULAR -> {
        try (InputStream in = e.openContent(); OutputStream out = to.newOutputStream(p)) {
          in.transferTo(out);
        }
        to.setMetadata(p, e.metadata());
      }
      case SYMLINK -> {
        to.createSymlink(p, e.symlinkTarget().orElseThrow());
        to.setMetadata(p, e.metadata());
      }
      default -> to.createSpecial(p, e.metadata());
    }
  }

  @Override
  public String toString() {
    return description();
  }
}
