package dev.kairos.factory.core.api.fs;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.UnsafePathException;
import dev.kairos.factory.core.internal.fs.DirectoryFds;
import dev.kairos.factory.core.internal.fs.MetadataOverlay;
import dev.kairos.factory.core.internal.fs.NativeMetadata;
import dev.kairos.factory.core.internal.fs.OverlayFile;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Linux root file system, backed by a directory of any {@link java.nio.file.FileSystem}: a
 * directory on disk, or an in-memory jimfs tree in tests. Every operation takes an
 * {@link ImagePath} and works as it would inside a chroot of that directory:
 *
 * <ul>
 *   <li>Symlinks are resolved inside the root: an absolute target starts again at the root, and
 *       {@code ..} at the root stays there. Nothing resolves through the host's {@code /}.
 *   <li>No operation reads or writes outside the root. A symlink loop, or a path that runs through
 *       a file as if it were a directory, fails with an error that names the in-image path.
 *   <li>Unix metadata is a full model ({@link FileMetadata}). Where the backing store cannot hold a
 *       field (jimfs; an unprivileged process on disk), an in-process overlay keeps it and reading
 *       gives back what was set. Running as root on a real directory, owners, modes, device nodes
 *       and FIFOs are applied for real.
 *   <li>Extended attributes of a real directory on Linux are read from and written to the disk in
 *       every namespace the kernel allows this process ({@code security.capability} set by a
 *       package's {@code setcap}, {@code trusted.} as root, {@code user.}), on the file itself,
 *       never through a symlink; {@code security.selinux} (the host's label) and {@code system.}
 *       are not read. A set the kernel refuses (a capability without root, a {@code user.}
 *       attribute on a symlink) is kept whole in the overlay.
 * </ul>
 *
 * <pre>{@code
 * RootFs root = RootFs.at(Path.of("/var/tmp/rootfs"));
 * root.writeString(ImagePath.of("/etc/hostname"), "kairos\n");
 * root.setMode(ImagePath.of("/usr/bin/sudo"), 04755);
 * root.walk(ImagePath.ROOT, entry -> System.out.println(entry));
 * }</pre>
 *
 * <p>An instance is safe for use by several threads as long as they do not change the same files.
 */
public final class RootFs {
  private static final int MAX_SYMLINKS = 40;

  private final Path root;
  private final NativeMetadata nativeMetadata;
  private final MetadataOverlay overlay = new MetadataOverlay();
  /** Counts deletions: an {@link EntryWriter} drops the directories it holds open when this moves. */
  private final AtomicLong removals = new AtomicLong();

  private RootFs(Path root, NativeMetadata nativeMetadata) {
    this.root = root;
    this.nativeMetadata = nativeMetadata;
  }

  /**
   * A root file system over the existing directory {@code root}.
   *
   * @throws NoSuchFileException if the directory does not exist
   * @throws NotDirectoryException if it is not a directory
   */
  public static RootFs at(Path root) throws IOException {
    Objects.requireNonNull(root, "root");
    if (!Files.exists(root)) {
      throw new NoSuchFileException(root.toString(), null, "root file system directory does not exist");
    }
    if (!Files.isDirectory(root)) {
      throw new NotDirectoryException(root.toString());
    }
    Path real = root.toRealPath();
    return new RootFs(real, NativeMetadata.probe(real));
  }

  /** The directory that backs this root. */
  public Path root() {
    return root;
  }

  /** Whether owners, full modes, devices and FIFOs are applied to the backing store for real (root on a real directory). */
  public boolean hasNativeOwnership() {
    return nativeMetadata.privileged();
  }

  // ---------------------------------------------------------------- resolution

  /**
   * Resolves every symlink of {@code path} inside the root, as a chroot would, and returns the
   * in-image path it designates. Components that do not exist are kept as they are.
   *
   * @param followFinal whether a symlink in the last component is followed too
   * @throws UnsafePathException on a symlink loop
   * @throws NotDirectoryException if a component other than the last is not a directory
   */
  public ImagePath realPath(ImagePath path, boolean followFinal) throws IOException {
    Deque<String> todo = new ArrayDeque<>(path.names());
    List<String> done = new ArrayList<>();
    int links = 0;
    boolean missing = false;
    while (!todo.isEmpty()) {
      String name = todo.pollFirst();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      boolean last = todo.isEmpty();
      if (missing || (last && !followFinal)) {
        done.add(name);
        continue;
      }
      Path host = hostOf(done, name);
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        missing = true;
        done.add(name);
        continue;
      }
      if (attrs.isSymbolicLink()) {
        if (++links > MAX_SYMLINKS) {
          throw new UnsafePathException(path.toString(), "too many levels of symbolic links");
        }
        String target = Files.readSymbolicLink(host).toString();
        if (target.isEmpty()) {
          throw new NoSuchFileException(path.toString(), null, "empty symlink target");
        }
        List<String> parts = Arrays.asList(target.split("/"));
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
        if (target.startsWith("/")) {
          done.clear();
        }
        continue;
      }
      if (!last && !attrs.isDirectory()) {
        throw new NotDirectoryException(path + " (" + "/" + String.join("/", done)
            + (done.isEmpty() ? "" : "/") + name + " is not a directory)");
      }
      done.add(name);
    }
    return ImagePath.ROOT.resolve(String.join("/", done));
  }

  /**
   * The host path that {@code path} designates, with every symlink resolved inside the root
   * ({@code followFinal} says whether the last component is followed). The result always lies
   * inside {@link #root()}. For handing a file to a host tool; the library's own writers use the
   * methods of this class.
   */
  public Path hostPath(ImagePath path, boolean followFinal) throws IOException {
    return host(realPath(path, followFinal));
  }

  private Path host(ImagePath resolved) {
    return resolved.isRoot() ? root : root.resolve(resolved.toRelativeString());
  }

  private Path hostOf(List<String> done, String name) {
    return done.isEmpty() ? root.resolve(name) : root.resolve(String.join("/", done) + "/" + name);
  }

  // ---------------------------------------------------------------- reading

  /** Whether a file exists at {@code path}; a final symlink counts even if it dangles. */
  public boolean exists(ImagePath path) throws IOException {
    return stat(path).isPresent();
  }

  /** Whether {@code path}, following symlinks, is a directory. */
  public boolean isDirectory(ImagePath path) throws IOException {
    return Files.isDirectory(hostPath(path, true), LinkOption.NOFOLLOW_LINKS);
  }

  /** Whether {@code path}, following symlinks, is a regular file (device placeholders are not). */
  public boolean isRegularFile(ImagePath path) throws IOException {
    Optional<FileMetadata> m = stat(realPath(path, true));
    return m.isPresent() && m.get().type() == FileType.REGULAR;
  }

  /** The metadata of {@code path} itself (a final symlink is not followed), or empty if nothing is there. */
  public Optional<FileMetadata> stat(ImagePath path) throws IOException {
    ImagePath real;
    try {
      real = realPath(path, false);
    } catch (NotDirectoryException e) {
      return Optional.empty();
    }
    Path host = host(real);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    return Optional.of(metadataOf(real, host, attrs));
  }

  /** Like {@link #stat} but for a file that must exist. */
  public FileMetadata metadata(ImagePath path) throws IOException {
    return stat(path).orElseThrow(() -> new NoSuchFileException(path.toString()));
  }

  private FileMetadata metadataOf(ImagePath path, Path host, BasicFileAttributes attrs) throws IOException {
    MetadataOverlay.Record rec = overlay.get(keyOf(path, attrs));
    FileType type = attrs.isDirectory() ? FileType.DIRECTORY
        : attrs.isSymbolicLink() ? FileType.SYMLINK
        : attrs.isRegularFile() ? FileType.REGULAR
        : nativeMetadata.typeOf(host);
    if (rec != null && rec.specialType != null && type == FileType.REGULAR) {
      type = rec.specialType;
    }
    FileMetadata.Builder b = FileMetadata.builder(type).mtime(attrs.lastModifiedTime().toInstant());
    nativeMetadata.read(host, type, b);
    if (type == FileType.REGULAR) {
      b.size(attrs.size());
    } else if (type == FileType.SYMLINK) {
      b.size(Files.readSymbolicLink(host).toString().getBytes(StandardCharsets.UTF_8).length);
    }
    if (rec != null) {
      if (rec.mode != null) {
        b.mode(rec.mode);
      }
      if (rec.uid != null) {
        b.uid(rec.uid);
      }
      if (rec.gid != null) {
        b.gid(rec.gid);
      }
      if (rec.specialType != null && rec.specialType.isDevice()) {
        b.device(rec.deviceMajor, rec.deviceMinor);
      }
    }
    if (rec != null && rec.xattrs != null) {
      rec.xattrs.forEach(b::xattr);
    } else {
      nativeMetadata.readXattrs(host).forEach(b::xattr);
    }
    return b.build();
  }

  private Object keyOf(ImagePath path, BasicFileAttributes attrs) {
    Object key = attrs.fileKey();
    return key != null ? key : "path:" + path;
  }

  /** The whole content of a regular file, following symlinks. */
  public byte[] readAllBytes(ImagePath path) throws IOException {
    return Files.readAllBytes(regularHostFile(path));
  }

  /** The content of a regular file as UTF-8 text. */
  public String readString(ImagePath path) throws IOException {
    return new String(readAllBytes(path), StandardCharsets.UTF_8);
  }

  /** Opens a regular file for reading, following symlinks. */
  public InputStream newInputStream(ImagePath path) throws IOException {
    return Files.newInputStream(regularHostFile(path), LinkOption.NOFOLLOW_LINKS);
  }

  private Path regularHostFile(ImagePath path) throws IOException {
    ImagePath real = realPath(path, true);
    Path host = host(real);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(path.toString());
    }
    if (attrs.isDirectory()) {
      throw new KairosException(path + ": is a directory, not a file");
    }
    if (!attrs.isRegularFile() || isSpecialPlaceholder(real, host)) {
      throw new KairosException(path + ": is not a regular file");
    }
    return host;
  }

  /** The target of the symlink at {@code path}, verbatim. */
  public String readSymlink(ImagePath path) throws IOException {
    Path host = host(realPath(path, false));
    if (!Files.isSymbolicLink(host)) {
      throw new KairosException(path + ": is not a symlink");
    }
    return Files.readSymbolicLink(host).toString();
  }

  /** The names in directory {@code dir} (following symlinks), sorted as UTF-8 bytes. */
  public List<String> list(ImagePath dir) throws IOException {
    Path host = hostPath(dir, true);
    if (!Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
      throw new NotDirectoryException(dir.toString());
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(host)) {
      for (Path p : s) {
        names.add(p.getFileName().toString());
      }
    }
    names.sort(ImagePath::compareNames);
    return names;
  }

  /**
   * Visits {@code start} and everything below it, depth first, parents before children and
   * siblings in UTF-8 byte order, so that the same tree always gives the same sequence. Symlinks
   * are reported, never followed; a regular file with several names is reported with its content
   * at the first name and as {@link FsEntry#hardlinkOf()} at the later ones. Only one directory
   * listing is held in memory per level.
   */
  public void walk(ImagePath start, FsVisitor visitor) throws IOException {
    ImagePath real = realPath(start, true);
    Map<Object, ImagePath> firstNames = new HashMap<>();
    walkFrom(real, host(real), visitor, firstNames);
  }

  private void walkFrom(ImagePath path, Path host, FsVisitor visitor, Map<Object, ImagePath> firstNames)
      throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    FileMetadata meta = metadataOf(path, host, attrs);
    Optional<String> target = Optional.empty();
    Optional<ImagePath> linkOf = Optional.empty();
    if (meta.type() == FileType.SYMLINK) {
      target = Optional.of(Files.readSymbolicLink(host).toString());
    } else if (meta.type() == FileType.REGULAR && nativeMetadata.linkCount(host) > 1 && attrs.fileKey() != null) {
      ImagePath first = firstNames.putIfAbsent(attrs.fileKey(), path);
      if (first != null) {
        linkOf = Optional.of(first);
      }
    }
    visitor.visit(new FsEntry(path, meta, target, linkOf,
        () -> Files.newInputStream(host, LinkOption.NOFOLLOW_LINKS)));
    if (meta.type() == FileType.DIRECTORY) {
      List<String> names = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(host)) {
        for (Path p : s) {
          names.add(p.getFileName().toString());
        }
      }
      names.sort(ImagePath::compareNames);
      for (String name : names) {
        walkFrom(path.resolve(name), host.resolve(name), visitor, firstNames);
      }
    }
  }

  // ---------------------------------------------------------------- writing

  /**
   * Creates {@code dir} and its missing parents, as root-owned {@code 0755} directories. Symlinks
   * on the way are followed inside the root.
   */
  public void createDirectories(ImagePath dir) throws IOException {
    ImagePath real = realPath(dir, true);
    ImagePath current = ImagePath.ROOT;
    for (String name : real.names()) {
      current = current.resolve(name);
      Path host = host(current);
      if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(current.toString(), null, "exists and is not a directory");
      }
      Files.createDirectory(host);
      applyNew(current, host, FileMetadata.builder(FileType.DIRECTORY).build(), false);
    }
  }

  /** Creates one directory with the given metadata; its parent must exist. */
  public void createDirectory(ImagePath dir, FileMetadata metadata) throws IOException {
    requireType(metadata, FileType.DIRECTORY);
    Path host = hostForNewEntry(dir);
    Files.createDirectory(host);
    applyNew(dir, host, metadata, true);
  }

  /**
   * Creates one regular file with the given metadata (size aside) and the bytes of {@code content},
   * read to its end; its parent must exist and nothing may be at {@code path}. One resolution and
   * one metadata pass, where {@link #newOutputStream} then {@link #setMetadata} take two of each:
   * what unpacking thousands of files wants.
   */
  public void createFile(ImagePath path, FileMetadata metadata, InputStream content) throws IOException {
    requireType(metadata, FileType.REGULAR);
    Path host = hostForNewEntry(path);
    try (OutputStream out = Files.newOutputStream(host, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS)) {
      content.transferTo(out);
    }
    applyNew(path, host, metadata, true);
  }

  /**
   * A writer of many new entries in a row, for unpacking an archive into this root. Its methods
   * do what {@link #createFile}, {@link #createDirectory} and {@link #createSymlink} followed by
   * {@link #setMetadata} do, with the same checks and errors; as root on a real Linux directory
   * it keeps its recent directories open and makes each entry relative to its parent's
   * descriptor, which takes a third of the system calls. A parent reached through a symlink, and
   * an entry with extended attributes, take the ordinary path.
   *
   * <p>Containment holds as it does for the ordinary methods: a directory is only ever opened
   * from its parent's descriptor without following a symlink, so every descriptor names a
   * directory inside the root. Any deletion through this root drops them all, so a path removed
   * and made again (say as a symlink) is resolved afresh. While a writer is open, the tree must
   * not change other than through this root. Not for use by several threads; close it when done.
   *
   * <pre>{@code
   * try (RootFs.EntryWriter w = root.entryWriter()) {
   *   w.createDirectory(ImagePath.of("/etc"), dirMetadata);
   *   w.createFile(ImagePath.of("/etc/hostname"), fileMetadata, in);
   * }
   * }</pre>
   */
  public EntryWriter entryWriter() {
    return new EntryWriter();
  }

  /** See {@link #entryWriter()}. */
  public final class EntryWriter implements java.io.Closeable {
    private final DirectoryFds fds;
    private long seenRemovals;

    private EntryWriter() {
      fds = nativeMetadata.privileged() && DirectoryFds.available() ? new DirectoryFds(root) : null;
      seenRemovals = removals.get();
    }

    /** As {@link RootFs#createFile}: the parent must exist and nothing may be at {@code path}. */
    public void createFile(ImagePath path, FileMetadata metadata, InputStream content) throws IOException {
      requireType(metadata, FileType.REGULAR);
      byte[] name = fastName(path, metadata);
      int dir = name == null ? -1 : fds.directory(path.parent());
      if (dir < 0) {
        RootFs.this.createFile(path, metadata, content);
      } else {
        fds.createFile(dir, path, name, metadata, content);
        clearStaleRecord(path);
      }
    }

    /** As {@link RootFs#createDirectory}: the parent must exist and nothing may be at {@code dir}. */
    public void createDirectory(ImagePath dir, FileMetadata metadata) throws IOException {
      requireType(metadata, FileType.DIRECTORY);
      byte[] name = fastName(dir, metadata);
      int parent = name == null ? -1 : fds.directory(dir.parent());
      if (parent < 0) {
        RootFs.this.createDirectory(dir, metadata);
      } else {
        fds.createDirectory(parent, dir, name, metadata);
        clearStaleRecord(dir);
      }
    }

    /**
     * As {@link RootFs#createSymlink} then {@link RootFs#setMetadata} with {@code metadata}: the
     * parent must exist and nothing may be at {@code link}.
     */
    public void createSymlink(ImagePath link, String target, FileMetadata metadata) throws IOException {
      requireType(metadata, FileType.SYMLINK);
      if (target.isEmpty() || target.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("symlink target must be non-empty and free of NUL: " + link);
      }
      byte[] name = fastName(link, metadata);
      byte[] cTarget = name == null ? null : DirectoryFds.cName(target);
      int dir = cTarget == null ? -1 : fds.directory(link.parent());
      if (dir < 0) {
        RootFs.this.createSymlink(link, target);
        setMetadata(link, metadata);
      } else {
        fds.createSymlink(dir, link, name, cTarget, metadata);
        clearStaleRecord(link);
      }
    }

    /**
     * Sets the modification time of {@code dir} if it is a directory (a final symlink is not
     * followed, and then nothing is set); returns whether it was set.
     */
    public boolean setDirectoryMtime(ImagePath dir, Instant mtime) throws IOException {
      int fd = fds == null ? -1 : fastDirectory(dir);
      if (fd >= 0) {
        fds.setMtime(fd, dir, mtime);
        return true;
      }
      if (stat(dir).map(m -> m.type() == FileType.DIRECTORY).orElse(false)) {
        setMtime(dir, mtime);
        return true;
      }
      return false;
    }

    private int fastDirectory(ImagePath dir) throws IOException {
      syncRemovals();
      return fds.directory(dir);
    }

    private void syncRemovals() {
      long now = removals.get();
      if (now != seenRemovals) {
        fds.forgetAll();
        seenRemovals = now;
      }
    }

    /**
     * A new file may have the inode of one deleted behind this root's back, and with it that
     * one's overlay record; as the ordinary path does, drop the extended attributes the record
     * kept. One more lookup, and only when the overlay holds anything at all.
     */
    private void clearStaleRecord(ImagePath path) throws IOException {
      if (overlay.size() == 0) {
        return;
      }
      // Reached from the root without a symlink on the way: the host path is where it lies.
      BasicFileAttributes attrs = Files.readAttributes(host(path), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      MetadataOverlay.Record rec = overlay.get(keyOf(path, attrs));
      if (rec != null) {
        rec.xattrs = null;
      }
    }

    /**
     * The name to make {@code path} under by descriptor, or null where the ordinary path must:
     * no descriptors here, extended attributes to set, or a name the JDK could not encode either.
     */
    private byte[] fastName(ImagePath path, FileMetadata metadata) {
      if (fds == null || path.isRoot() || !metadata.xattrs().isEmpty()) {
        return null;
      }
      syncRemovals();
      return DirectoryFds.cName(path.fileName());
    }

    @Override
    public void close() {
      if (fds != null) {
        fds.close();
      }
    }
  }

  /**
   * Writes {@code content} to a regular file, creating missing parent directories. A new file is
   * root-owned {@code 0644}; an existing file keeps its metadata. A final symlink is followed
   * inside the root.
   */
  public void write(ImagePath path, byte[] content) throws IOException {
    try (OutputStream out = newOutputStream(path)) {
      out.write(content);
    }
  }

  /** Writes UTF-8 text; see {@link #write(ImagePath, byte[])}. */
  public void writeString(ImagePath path, String content) throws IOException {
    write(path, content.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a file and sets its mode in one call; see {@link #write(ImagePath, byte[])}. */
  public void write(ImagePath path, byte[] content, int mode) throws IOException {
    write(path, content);
    setMode(path, mode);
  }

  /**
   * Opens a regular file for writing (created or truncated), creating missing parent directories;
   * see {@link #write(ImagePath, byte[])}.
   */
  public OutputStream newOutputStream(ImagePath path) throws IOException {
    ImagePath real = realPath(path, true);
    if (real.isRoot()) {
      throw new KairosException(path + ": is the root directory, not a file");
    }
    createDirectories(real.parent());
    Path host = host(real);
    boolean existed = Files.exists(host, LinkOption.NOFOLLOW_LINKS);
    if (existed && !Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
      throw new KairosException(path + ": exists and is not a regular file");
    }
    if (existed && isSpecialPlaceholder(real, host)) {
      throw new KairosException(path + ": is a device or FIFO, not a regular file");
    }
    OutputStream out = Files.newOutputStream(host, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    if (!existed) {
      try {
        applyNew(real, host, FileMetadata.builder(FileType.REGULAR).build(), false);
      } catch (IOException | RuntimeException e) {
        out.close();
        throw e;
      }
    }
    return out;
  }

  private boolean isSpecialPlaceholder(ImagePath real, Path host) throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    MetadataOverlay.Record rec = overlay.get(keyOf(real, attrs));
    return rec != null && rec.specialType != null;
  }

  /**
   * Copies a host file into the image (content only), creating parents; the new file gets
   * {@code metadata}'s mode, owner and mtime. Replaces an existing regular file.
   */
  public void copyIn(Path hostFile, ImagePath path, FileMetadata metadata) throws IOException {
    requireType(metadata, FileType.REGULAR);
    ImagePath real = realPath(path, true);
    createDirectories(real.parent());
    Path host = host(real);
    if (Files.exists(host, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(path.toString(), null, "exists and is not a regular file");
    }
    Files.copy(hostFile, host, StandardCopyOption.REPLACE_EXISTING);
    applyNew(real, host, metadata, true);
  }

  /**
   * Creates a symlink at {@code link} whose target is {@code target}, stored verbatim (an
   * absolute target is resolved inside the root when followed). The parent must exist.
   */
  public void createSymlink(ImagePath link, String target) throws IOException {
    if (target.isEmpty() || target.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("symlink target must be non-empty and free of NUL: " + link);
    }
    Path host = hostForNewEntry(link);
    Files.createSymbolicLink(host, host.getFileSystem().getPath(target));
    applyNew(link, host, FileMetadata.builder(FileType.SYMLINK).build(), false);
  }

  /**
   * Creates {@code link} as another name of the existing file {@code existing}. Both are in-image
   * paths, resolved inside the root, so a hardlink can never reach a file outside it. A symlink
   * at {@code existing} is not followed: as {@code link(2)} would, the new name gets the symlink
   * itself, made here as a second symlink with the same target and owner (hardlinks are shared
   * content of regular files; not every backing store can link a symlink).
   */
  public void createHardlink(ImagePath link, ImagePath existing) throws IOException {
    ImagePath real = realPath(existing, false);
    Path target = host(real);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(existing.toString(), link.toString(), "hardlink target does not exist");
    }
    if (attrs.isDirectory()) {
      throw new KairosException(link + ": cannot hardlink a directory (" + existing + ")");
    }
    if (attrs.isSymbolicLink()) {
      FileMetadata m = metadataOf(real, target, attrs);
      createSymlink(link, Files.readSymbolicLink(target).toString());
      setMetadata(link, m.toBuilder().size(0).build());
      return;
    }
    Path host = hostForNewEntry(link);
    Files.createLink(host, target);
  }

  /**
   * Creates a character or block device, a FIFO or a socket placeholder with {@code metadata}.
   * As root on a real directory the node is made for real; elsewhere an empty placeholder file
   * stands for it and the overlay remembers its type and numbers.
   */
  public void createSpecial(ImagePath path, FileMetadata metadata) throws IOException {
    FileType t = metadata.type();
    if (!(t.isDevice() || t == FileType.FIFO || t == FileType.SOCKET)) {
      throw new IllegalArgumentException(path + ": createSpecial takes a device, FIFO or socket, not " + t);
    }
    Path host = hostForNewEntry(path);
    if (nativeMetadata.privileged() && t != FileType.SOCKET) {
      nativeMetadata.makeNode(host, metadata);
    } else {
      Files.createFile(host);
      BasicFileAttributes attrs = Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      MetadataOverlay.Record rec = overlay.edit(keyOf(path, attrs));
      rec.specialType = t;
      rec.deviceMajor = metadata.deviceMajor();
      rec.deviceMinor = metadata.deviceMinor();
    }
    applyNew(path, host, metadata, true);
  }

  private Path hostForNewEntry(ImagePath path) throws IOException {
    if (path.isRoot()) {
      throw new FileAlreadyExistsException("/");
    }
    ImagePath parent = realPath(path.parent(), true);
    Path hostParent = host(parent);
    if (!Files.isDirectory(hostParent, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(path.toString(), null, "parent directory " + path.parent() + " does not exist");
    }
    Path host = hostParent.resolve(path.fileName());
    if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(path.toString());
    }
    return host;
  }

  private static void requireType(FileMetadata metadata, FileType type) {
    if (metadata.type() != type) {
      throw new IllegalArgumentException("metadata of a " + metadata.type() + " given where a " + type + " is made");
    }
  }

  // ---------------------------------------------------------------- metadata

  /**
   * Sets mode, owner, mtime and extended attributes of {@code path} itself (a final symlink is
   * not followed) from {@code metadata}, whose type must match the file's.
   */
  public void setMetadata(ImagePath path, FileMetadata metadata) throws IOException {
    ImagePath real = realPath(path, false);
    FileMetadata current = metadata(real);
    if (current.type() != metadata.type()) {
      throw new KairosException(path + ": is a " + current.type() + ", metadata given for a " + metadata.type());
    }
    applyNew(real, host(real), metadata, true);
  }

  /** Sets the permission bits, setuid, setgid and sticky included ({@code 0} to {@code 07777}); follows symlinks. */
  public void setMode(ImagePath path, int mode) throws IOException {
    ImagePath real = realPath(path, true);
    FileMetadata current = stat(real).orElseThrow(() -> real.equals(path)
        ? new NoSuchFileException(path.toString())
        : new NoSuchFileException(path.toString(), real.toString(), "the link's target does not exist"));
    setMetadata(real, current.toBuilder().mode(mode).build());
  }

  /** Sets the numeric owner; a final symlink is not followed ({@code lchown}). */
  public void setOwner(ImagePath path, int uid, int gid) throws IOException {
    setMetadata(path, metadata(path).toBuilder().uid(uid).gid(gid).build());
  }

  /** Sets the modification time; a final symlink is not followed. */
  public void setMtime(ImagePath path, Instant mtime) throws IOException {
    setMetadata(path, metadata(path).toBuilder().mtime(mtime).build());
  }

  /** Sets one extended attribute; a final symlink is not followed. */
  public void setXattr(ImagePath path, String name, byte[] value) throws IOException {
    setMetadata(path, metadata(path).toBuilder().xattr(name, value).build());
  }

  /** Applies every field of {@code m} to a file that exists at {@code host}. */
  private void applyNew(ImagePath path, Path host, FileMetadata m, boolean withTimes) throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    Object key = keyOf(path, attrs);
    MetadataOverlay.Record rec = overlay.get(key);
    boolean isLink = m.type() == FileType.SYMLINK;
    if (!nativeMetadata.writeOwner(host, m.uid(), m.gid())) {
      rec = rec != null ? rec : overlay.edit(key);
      rec.uid = m.uid();
      rec.gid = m.gid();
    }
    if (!isLink && !nativeMetadata.writeMode(host, m.type(), m.mode())) {
      rec = rec != null ? rec : overlay.edit(key);
      rec.mode = m.mode();
    }
    // After owner and mode: chown(2) drops security.capability, as the kernel does for any chown.
    if (nativeMetadata.writeXattrs(host, m.xattrs())) {
      if (rec != null) {
        rec.xattrs = null;
      }
    } else {
      rec = rec != null ? rec : overlay.edit(key);
      rec.xattrs = new TreeMap<>(m.xattrs());
    }
    if (withTimes) {
      nativeMetadata.writeMtime(host, m.type(), m.mtime());
    }
  }

  // ---------------------------------------------------------------- overlay persistence

  /**
   * Writes the metadata overlay to the host file {@code file} (outside the root; replaced
   * atomically), so that another process can take it up with {@link #loadMetadataOverlay}: the
   * owners, setuid bits, device nodes and extended attributes an unprivileged process holds only
   * in memory then survive between, say, a CLI's {@code pull} and its {@code push}. Records are
   * stored by in-image path, a hardlinked file once. Returns how many records were written.
   *
   * <pre>{@code
   * RootFs root = RootFs.at(work.resolve("rootfs"));
   * unpackLayers(root);
   * root.saveMetadataOverlay(work.resolve("rootfs.meta"));
   * // later, in another process:
   * RootFs again = RootFs.at(work.resolve("rootfs"));
   * again.loadMetadataOverlay(work.resolve("rootfs.meta"));
   * }</pre>
   */
  public int saveMetadataOverlay(Path file) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    int[] written = {0};
    try (BufferedWriter w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
      w.write(OverlayFile.HEADER);
      w.newLine();
      if (overlay.size() > 0) {
        walk(ImagePath.ROOT, e -> {
          if (e.hardlinkOf().isPresent()) {
            return; // the record belongs to the file, already written at its first name
          }
          Path host = host(e.path());
          MetadataOverlay.Record rec = overlay.get(keyOf(e.path(),
              Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)));
          if (rec != null) {
            w.write(OverlayFile.format(e.path().toString(), rec));
            w.newLine();
            written[0]++;
          }
        });
      }
    }
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return written[0];
  }

  /**
   * Reads a file written by {@link #saveMetadataOverlay} into this root's overlay; a record
   * replaces what the overlay held for that file. Records of paths that are no longer there are
   * skipped (the root changed since). Returns how many records were taken up.
   *
   * @throws InvalidInputException if the file is not an overlay file or a line is malformed,
   *     with the line number
   */
  public int loadMetadataOverlay(Path file) throws IOException {
    String source = file.toString();
    int taken = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = r.readLine();
      if (!OverlayFile.HEADER.equals(line)) {
        throw new InvalidInputException(source, 1, 0, "not a metadata overlay file (expected '" + OverlayFile.HEADER + "')");
      }
      int lineNo = 1;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isEmpty()) {
          continue;
        }
        ImagePath path = ImagePath.of(OverlayFile.path(line, source, lineNo));
        MetadataOverlay.Record rec = new MetadataOverlay.Record();
        OverlayFile.parse(line, rec, source, lineNo);
        BasicFileAttributes attrs;
        ImagePath real;
        try {
          real = realPath(path, false);
          attrs = Files.readAttributes(host(real), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException | NotDirectoryException e) {
          continue;
        }
        if (rec.specialType != null && !attrs.isRegularFile()) {
          throw new InvalidInputException(source, lineNo, 0, path + " is recorded as a " + rec.specialType
              + " placeholder but is not a placeholder file");
        }
        overlay.put(keyOf(real, attrs), rec);
        taken++;
      }
    }
    return taken;
  }

  // ---------------------------------------------------------------- deleting

  /** Deletes one file, symlink or empty directory; a final symlink is removed, not followed. */
  public void delete(ImagePath path) throws IOException {
    if (path.isRoot()) {
      throw new KairosException("refusing to delete the root directory");
    }
    ImagePath real = realPath(path, false);
    Path host = host(real);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(path.toString());
    }
    boolean lastName = attrs.isDirectory() || nativeMetadata.linkCount(host) <= 1;
    try {
      Files.delete(host);
    } catch (java.nio.file.DirectoryNotEmptyException e) {
      throw new java.nio.file.DirectoryNotEmptyException(path.toString());
    } finally {
      removals.incrementAndGet();
    }
    if (lastName) {
      overlay.forget(keyOf(real, attrs));
    }
  }

  /** Deletes {@code path} and, for a directory, everything below it; symlinks are removed, not followed. Returns whether anything was there. */
  public boolean deleteRecursively(ImagePath path) throws IOException {
    if (path.isRoot()) {
      throw new KairosException("refusing to delete the root directory");
    }
    Optional<FileMetadata> m = stat(path);
    if (m.isEmpty()) {
      return false;
    }
    ImagePath real = realPath(path, false);
    if (m.get().type() == FileType.DIRECTORY) {
      for (String name : list(real)) {
        deleteRecursively(real.resolve(name));
      }
    }
    delete(real);
    return true;
  }

  @Override
  public String toString() {
    return "RootFs[" + root.toUri() + (hasNativeOwnership() ? ", native ownership" : ", metadata overlay") + "]";
  }
}
