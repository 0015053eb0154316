package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.FsEntry;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Overlays one tree onto another, as {@code COPY / /} of a framework image does: directories are
 * merged (an existing directory, or a symlink to one such as {@code /lib -> usr/lib}, is kept),
 * files and symlinks replace what is there, owners and modes come along. Streams file content.
 */
final class TreeCopy {
  private TreeCopy() {}

  /** Copies every entry of {@code from} accepted by {@code include} to the same path in {@code to}; returns the files copied. */
  static List<ImagePath> overlay(RootFs from, RootFs to, Predicate<ImagePath> include) throws IOException {
    List<FsEntry> entries = new ArrayList<>();
    from.walk(ImagePath.ROOT, e -> {
      if (!e.path().isRoot() && include.test(e.path())) {
        entries.add(e);
      }
    });
    List<ImagePath> copied = new ArrayList<>();
    for (FsEntry e : entries) {
      ImagePath p = e.path();
      FileMetadata m = e.metadata();
      if (e.type() == FileType.DIRECTORY) {
        if (!to.isDirectory(p)) {
          to.createDirectories(p);
          to.setMetadata(p, m.toBuilder().clearXattrs().build());
        }
        continue;
      }
      to.createDirectories(p.parent());
      if (to.stat(p).isPresent()) {
        if (to.stat(p).get().type() == FileType.DIRECTORY) {
          throw new dev.kairos.factory.core.api.KairosException(p + ": the overlay has a file where the image has a directory");
        }
        to.delete(p);
      }
      if (e.hardlinkOf().isPresent() && to.stat(e.hardlinkOf().get()).isPresent()) {
        to.createHardlink(p, e.hardlinkOf().get());
      } else if (e.type() == FileType.SYMLINK) {
        to.createSymlink(p, e.symlinkTarget().orElseThrow());
      } else if (e.type() == FileType.REGULAR) {
        try (InputStream in = e.openContent(); OutputStream out = to.newOutputStream(p)) {
          in.transferTo(out);
        }
        to.setMetadata(p, m);
      } else {
        to.createSpecial(p, m);
      }
      copied.add(p);
    }
    return copied;
  }

  /** Accepts paths at or below any of {@code prefixes}. */
  static Predicate<ImagePath> under(List<ImagePath> prefixes) {
    return p -> prefixes.stream().anyMatch(pre -> pre.contains(p) || p.contains(pre));
  }
}
