package dev.kairos.factory.oci.internal.layer;

import dev.kairos.factory.core.api.ImageText;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.UnsafePathException;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.oci.api.DigestMismatchException;
import dev.kairos.factory.oci.internal.tar.TarEntry;
import dev.kairos.factory.oci.internal.tar.TarReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies one OCI layer (a tar stream, compressed or not) to a {@link RootFs}, with the OCI
 * image-spec change-set semantics: {@code .wh.<name>} deletes {@code name} from the layers below,
 * {@code .wh..wh..opq} hides everything the lower layers had in its directory, an entry replaces
 * whatever was at its path (a directory over a directory is kept and its metadata updated). Times
 * are as archived; a directory the layer does not hold keeps the time it had, though members
 * were added to it or deleted from it.
 *
 * <p>Containment: member names with a {@code ..} component are refused; absolute names are taken
 * relative to the root. Parent directories are resolved through {@link RootFs}, so a symlink in
 * the way (even one pointing at {@code /} or at {@code ../../..}) is followed inside the root, and
 * hardlink targets are resolved inside the root too. Nothing lands outside the root; a refused
 * member fails the layer with an error that names it. Files, directories and symlinks are made
 * through a {@link RootFs.EntryWriter}: relative to directories it holds open, each reached
 * without following a symlink and forgotten when the layer deletes anything.
 */
public final class LayerUnpacker {
  private static final String WHITEOUT = ".wh.";
  private static final String OPAQUE = ".wh..wh..opq";
  private static final int READ_AHEAD_CHUNKS = 8;
  private static final int READ_AHEAD_CHUNK = 1 << 20;
  /**
   * The longest member name taken: Linux's {@code PATH_MAX}. A longer one could not be created
   * through a path anyway, and refusing it first gives one short error instead of a file system
   * error that repeats the whole name.
   */
  static final int MAX_NAME = 4096;
  /**
   * The deepest member taken. Each member's parents are resolved inside the root one level at a
   * time, so the work of a deep chain grows with the cube of its depth (each member, each parent,
   * each lookup of a longer path): 512 levels took half a minute on a busy machine, 2,000 would
   * take hours. Real trees stay far below this (deep {@code node_modules} reach a few dozen).
   */
  static final int MAX_DEPTH = 256;

  private final RootFs root;

  private record DirTime(ImagePath dir, Instant mtime) {}

  public LayerUnpacker(RootFs root) {
    this.root = root;
  }

  /**
   * Applies the layer read from {@code layer} (decompressed by its magic bytes); {@code name}
   * (such as the layer's digest) appears in errors. Reads the stream to its end, and leaves it open.
   * Reading and inflating run on a thread of their own, a few MiB ahead of the file writes.
   */
  public void apply(InputStream layer, String name) throws IOException {
    InputStream shielded = new FilterInputStream(layer) {
      @Override
      public void close() {
        // the caller owns the layer stream; the inflater's own resources are still freed
      }
    };
    try (InputStream in = new ReadAheadInputStream(Compression.decompress(shielded), name, READ_AHEAD_CHUNKS,
        READ_AHEAD_CHUNK)) {
      apply(new TarReader(in, "layer " + name), name);
      in.transferTo(OutputStream.nullOutputStream());
    }
    // A decompressor may stop at its end mark; the bytes after it still belong to the blob.
    layer.transferTo(OutputStream.nullOutputStream());
  }

  private void apply(TarReader tar, String name) throws IOException {
    Set<ImagePath> added = new HashSet<>();
    Set<ImagePath> fresh = new HashSet<>();
    List<DirTime> dirTimes = new ArrayList<>();
    Map<ImagePath, Instant> keptTimes = new HashMap<>();
    try (RootFs.EntryWriter writer = root.entryWriter()) {
      for (TarEntry e; (e = tar.next()) != null; ) {
        try {
          applyEntry(e, tar, writer, added, fresh, dirTimes, keptTimes);
        } catch (DigestMismatchException ex) {
          throw ex;
        } catch (UnsafePathException ex) {
          throw ex.path().equals(e.name()) ? ex
              : new UnsafePathException(e.name(), "layer " + name + ": " + ex.getMessage());
        } catch (IOException | IllegalArgumentException ex) {
          throw new KairosException("layer " + name + ": member " + ImageText.quote(e.name()) + ": " + ex.getMessage(), ex);
        }
      }
      // Creating children bumped the directories' times; put back the archived ones, deepest first,
      // and the times the layer's other directories had before it (a file changed in place, or gone,
      // leaves its directory's time as it was: so must its unpacking).
      for (DirTime d : dirTimes) {
        keptTimes.remove(d.dir());
      }
      for (Map.Entry<ImagePath, Instant> k : keptTimes.entrySet()) {
        writer.setDirectoryMtime(k.getKey(), k.getValue());
      }
      for (int i = dirTimes.size() - 1; i >= 0; i--) {
        writer.setDirectoryMtime(dirTimes.get(i).dir(), dirTimes.get(i).mtime());
      }
    }
  }

  /**
   * Applies one member. {@code fresh} holds the directories this layer created, still there and
   * still directories: under one of them no symlink can be in the way and nothing exists that
   * this layer did not add, so the lookups a member otherwise needs are skipped. Any deletion
   * forgets them all, which keeps that true without tracking what went. {@code keptTimes} gets
   * the time of every other directory a member changes, before it changes it.
   */
  private void applyEntry(TarEntry e, TarReader tar, RootFs.EntryWriter writer, Set<ImagePath> added, Set<ImagePath> fresh,
      List<DirTime> dirTimes, Map<ImagePath, Instant> keptTimes) throws IOException {
    ImagePath path = entryPath(e.name(), e.name());
    if (path.isRoot()) {
      if (e.kind() == TarEntry.Kind.DIRECTORY) {
        root.setMetadata(ImagePath.ROOT, metadata(e, FileType.DIRECTORY));
        dirTimes.add(new DirTime(ImagePath.ROOT, e.mtime()));
        added.add(ImagePath.ROOT);
        return;
      }
      throw new UnsafePathException(e.name(), "only a directory may stand for the root");
    }
    String base = path.fileName();
    boolean inFresh = fresh.contains(path.parent());
    ImagePath parent = inFresh ? path.parent() : root.realPath(path.parent(), true);
    if (!inFresh && !added.contains(parent) && !keptTimes.containsKey(parent)) {
      Optional<FileMetadata> before = root.stat(parent);
      if (before.isPresent() && before.get().type() == FileType.DIRECTORY) {
        keptTimes.put(parent, before.get().mtime());
      }
    }
    if (base.equals(OPAQUE) || base.startsWith(WHITEOUT)) {
      fresh.clear();
    }
    if (base.equals(OPAQUE)) {
      if (root.isDirectory(parent)) {
        for (String child : root.list(parent)) {
          if (!added.contains(parent.resolve(child))) {
            root.deleteRecursively(parent.resolve(child));
          }
        }
      }
      return;
    }
    if (base.startsWith(WHITEOUT)) {
      String hidden = base.substring(WHITEOUT.length());
      if (!hidden.startsWith(WHITEOUT) && !hidden.isEmpty()) {
        root.deleteRecursively(parent.resolve(hidden));
      }
      return;
    }
    if (!inFresh) {
      root.createDirectories(parent);
    }
    ImagePath target = parent.resolve(base);
    Optional<FileMetadata> existing = inFresh && !added.contains(target) ? Optional.empty() : root.stat(target);
    boolean keepDir = e.kind() == TarEntry.Kind.DIRECTORY && existing.isPresent()
        && existing.get().type() == FileType.DIRECTORY;
    if (existing.isPresent() && !keepDir) {
      fresh.clear();
      root.deleteRecursively(target);
    }
    switch (e.kind()) {
      case DIRECTORY -> {
        FileMetadata m = metadata(e, FileType.DIRECTORY);
        if (keepDir) {
          root.setMetadata(target, m);
        } else {
          writer.createDirectory(target, m);
          fresh.add(target);
        }
        dirTimes.add(new DirTime(target, e.mtime()));
      }
      case REGULAR -> writer.createFile(target, metadata(e, FileType.REGULAR), tar.content());
      case SYMLINK -> {
        if (e.linkName().isEmpty()) {
          throw new UnsafePathException(e.name(), "symlink with an empty target");
        }
        writer.createSymlink(target, e.linkName(), metadata(e, FileType.SYMLINK));
      }
      case HARDLINK -> {
        ImagePath existingName = entryPath(e.linkName(), e.name());
        if (!root.exists(existingName)) {
          throw new UnsafePathException(e.name(), "hardlink to " + ImageText.quote(e.linkName()) + ", which is not in the image");
        }
        root.createHardlink(target, existingName);
      }
      case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> root.createSpecial(target, metadata(e, switch (e.kind()) {
        case CHAR_DEVICE -> FileType.CHAR_DEVICE;
        case BLOCK_DEVICE -> FileType.BLOCK_DEVICE;
        default -> FileType.FIFO;
      }));
      default -> throw new IllegalStateException("unhandled member kind " + e.kind());
    }
    added.add(target);
  }

  /** The in-image path of a member name; a {@code ..} component is refused, a leading {@code /} dropped. */
  private static ImagePath entryPath(String name, String entry) throws UnsafePathException {
    if (name.indexOf('\0') >= 0) {
      throw new UnsafePathException(entry, "name contains a NUL character");
    }
    long depth = name.length() > MAX_NAME ? name.chars().filter(c -> c == '/').count()
        : Arrays.stream(name.split("/")).filter(c -> !c.isEmpty() && !c.equals(".")).count();
    if (name.length() > MAX_NAME || depth > MAX_DEPTH) {
      throw new UnsafePathException(entry, String.format(Locale.ROOT,
          "name is %,d characters long, about %,d levels deep; at most %,d characters and %,d levels are taken",
          name.length(), depth, MAX_NAME, MAX_DEPTH));
    }
    for (String c : name.split("/")) {
      if (c.equals("..")) {
        throw new UnsafePathException(entry, "name " + ImageText.quote(name) + " contains '..'; layers must not climb out of the root");
      }
    }
    return ImagePath.of(name);
  }

  private static FileMetadata metadata(TarEntry e, FileType type) {
    FileMetadata.Builder b = FileMetadata.builder(type).mode(e.mode()).uid(e.uid()).gid(e.gid()).mtime(e.mtime());
    if (type.isDevice()) {
      b.device(e.deviceMajor(), e.deviceMinor());
    }
    e.xattrs().forEach(b::xattr);
    return b.build();
  }
}
