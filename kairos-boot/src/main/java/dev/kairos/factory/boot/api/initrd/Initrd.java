package dev.kairos.factory.boot.api.initrd;

import dev.kairos.factory.boot.internal.compress.Compressors;
import dev.kairos.factory.boot.internal.cpio.NewcWriter;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.FsEntry;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;

/**
 * An initramfs: a root file system tree as one "newc" cpio archive, compressed, optionally
 * preceded by an uncompressed early-microcode archive, as the kernel and systemd-stub load it.
 *
 * <p>The output is reproducible: entries come in the walk's sorted order, inode numbers are
 * assigned in that order (hardlinks share the number of their first name and carry their content
 * there), mtimes are clamped to the {@link SourceDate}, and owners, modes and device numbers come
 * from the file system's metadata model, never from the host. Content is streamed: memory use
 * does not grow with the size of the tree.
 *
 * <pre>{@code
 * Initrd initrd = Initrd.builder(RootFs.at(Path.of("rootfs")))
 *     .compression(InitrdCompression.ZSTD).level(19)
 *     .exclude("/proc", "/sys", "/dev", "/run", "/tmp", "/boot")
 *     .sourceDate(SourceDate.fromEnvironment())
 *     .build();
 * initrd.writeTo(Path.of("out/initrd"));
 * }</pre>
 */
public final class Initrd {
  private final RootFs root;
  private final InitrdCompression compression;
  private final int level;
  private final List<ImagePath> excludes;
  private final Map<CpuVendor, byte[]> microcode;
  private final SourceDate sourceDate;

  private Initrd(Builder b) {
    this.root = b.root;
    this.compression = b.compression;
    this.level = b.level == null ? compression.defaultLevel() : compression.checkLevel(b.level);
    this.excludes = List.copyOf(b.excludes);
    this.microcode = new EnumMap<>(CpuVendor.class);
    b.microcode.forEach((k, v) -> microcode.put(k, v.clone()));
    this.sourceDate = b.sourceDate;
  }

  /** This initrd with {@code more} left out too. */
  private Initrd(Initrd i, List<ImagePath> more) {
    this.root = i.root;
    this.compression = i.compression;
    this.level = i.level;
    List<ImagePath> all = new ArrayList<>(i.excludes);
    all.addAll(more);
    this.excludes = List.copyOf(all);
    this.microcode = i.microcode;
    this.sourceDate = i.sourceDate;
  }

  /** Starts an initrd of the tree {@code root}: zstd at its default level, nothing excluded, no microcode. */
  public static Builder builder(RootFs root) {
    return new Builder(root);
  }

  /** Writes the initrd to {@code file} (created or atomically replaced, see {@link AtomicFile}). */
  public void writeTo(Path file) throws IOException {
    AtomicFile.write(file, tmp -> {
      // An output inside the root it archives stays out of the archive: the file, its temporary
      // file and its lock file (a run of the CLI holds one beside it).
      List<ImagePath> own = new ArrayList<>();
      for (Path p : List.of(file, tmp, file.resolveSibling("." + file.getFileName() + ExclusiveLock.SUFFIX))) {
        inImage(p).ifPresent(own::add);
      }
      Initrd initrd = own.isEmpty() ? this : new Initrd(this, own);
      try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        initrd.writeTo(out);
      }
    });
  }

  /** {@code p}'s path inside the root, if the root is on the host's file system and holds it. */
  private Optional<ImagePath> inImage(Path p) throws IOException {
    Path rootDir = root.root();
    if (rootDir.getFileSystem() != p.getFileSystem()) {
      return Optional.empty();
    }
    Path parent = p.toAbsolutePath().normalize().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return Optional.empty();
    }
    Path real = parent.toRealPath().resolve(p.getFileName().toString());
    Path realRoot = rootDir.toRealPath();
    if (!real.startsWith(realRoot) || real.equals(realRoot)) {
      return Optional.empty();
    }
    return Optional.of(ImagePath.of("/" + realRoot.relativize(real)));
  }

  /** Writes the initrd to {@code out}, which is flushed but left open. */
  public void writeTo(OutputStream out) throws IOException {
    SourceDate date = sourceDate != null ? sourceDate : SourceDate.fromEnvironment();
    if (!microcode.isEmpty()) {
      writeMicrocode(out);
    }
    OutputStream shield = new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
    // Buffer in front of the compressor: records are many small writes, each a native call otherwise.
    try (OutputStream z = new java.io.BufferedOutputStream(Compressors.wrap(shield, compression, level), 1 << 17)) {
      writeTree(z, date);
    }
  }

  private void writeMicrocode(OutputStream out) throws IOException {
    NewcWriter w = new NewcWriter(out);
    long ino = 1;
    for (String dir : new String[] {"kernel", "kernel/x86", "kernel/x86/microcode"}) {
      w.write(new NewcWriter.Header(dir, ino++, FileType.DIRECTORY.modeBits() | 0755, 0, 0, 2, 0, 0, 0, 0), null);
    }
    for (Map.Entry<CpuVendor, byte[]> e : microcode.entrySet()) {
      byte[] blob = e.getValue();
      w.write(new NewcWriter.Header("kernel/x86/microcode/" + e.getKey().cpuid() + ".bin", ino++,
          FileType.REGULAR.modeBits() | 0644, 0, 0, 1, 0, blob.length, 0, 0), new ByteArrayInputStream(blob));
    }
    w.finish();
  }

  private boolean excluded(ImagePath p) {
    for (ImagePath e : excludes) {
      if (e.contains(p)) {
        return true;
      }
    }
    return false;
  }

  private void writeTree(OutputStream out, SourceDate date) throws IOException {
    // First pass over metadata only: how many names each hardlinked file has, so that the first
    // record (which carries the content) already has the right link count.
    Map<ImagePath, Integer> linkCounts = new HashMap<>();
    root.walk(ImagePath.ROOT, e -> {
      if (!excluded(e.path()) && e.hardlinkOf().isPresent()) {
        linkCounts.merge(e.hardlinkOf().get(), 2, (a, b) -> a + 1);
      }
    });
    Map<ImagePath, Long> linkInodes = new HashMap<>();
    NewcWriter w = new NewcWriter(out);
    long[] next = {1};
    root.walk(ImagePath.ROOT, e -> {
      if (excluded(e.path())) {
        return;
      }
      write(w, e, date, next, linkCounts, linkInodes);
    });
    w.finish();
  }

  private static void write(NewcWriter w, FsEntry e, SourceDate date, long[] next,
      Map<ImagePath, Integer> linkCounts, Map<ImagePath, Long> linkInodes) throws IOException {
    FileMetadata m = e.metadata();
    String name = e.path().isRoot() ? "." : e.path().toRelativeString();
    long mtime = Math.max(0, date.clamp(m.mtime()).getEpochSecond());
    int stMode = m.stMode();
    if (e.hardlinkOf().isPresent()) {
      ImagePath first = e.hardlinkOf().get();
      long ino = Objects.requireNonNull(linkInodes.get(first), first::toString);
      w.write(new NewcWriter.Header(name, ino, stMode, m.uid(), m.gid(), linkCounts.get(first), mtime, 0, 0, 0),
          null);
      return;
    }
    long ino = next[0]++;
    int nlink = m.type() == FileType.DIRECTORY ? 2 : 1;
    if (linkCounts.containsKey(e.path())) {
      linkInodes.put(e.path(), ino);
      nlink = linkCounts.get(e.path());
    }
    switch (m.type()) {
      case REGULAR:
        try (InputStream in = e.openContent()) {
          w.write(new NewcWriter.Header(name, ino, stMode, m.uid(), m.gid(), nlink, mtime, m.size(), 0, 0), in);
        }
        break;
      case SYMLINK: {
        byte[] target = e.symlinkTarget().orElseThrow().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        w.write(new NewcWriter.Header(name, ino, stMode, m.uid(), m.gid(), nlink, mtime, target.length, 0, 0),
            new ByteArrayInputStream(target));
        break;
      }
      default:
        w.write(new NewcWriter.Header(name, ino, stMode, m.uid(), m.gid(), nlink, mtime, 0,
            m.type().isDevice() ? m.deviceMajor() : 0, m.type().isDevice() ? m.deviceMinor() : 0), null);
    }
  }

  /** Collects what goes into an {@link Initrd}; validates eagerly. */
  public static final class Builder {
    private final RootFs root;
    private InitrdCompression compression = InitrdCompression.ZSTD;
    private Integer level;
    private final List<ImagePath> excludes = new ArrayList<>();
    private final Map<CpuVendor, byte[]> microcode = new EnumMap<>(CpuVendor.class);
    private SourceDate sourceDate;

    private Builder(RootFs root) {
      this.root = Objects.requireNonNull(root, "root");
    }

    /** The compression of the main archive; default {@link InitrdCompression#ZSTD}. */
    public Builder compression(InitrdCompression compression) {
      this.compression = Objects.requireNonNull(compression, "compression");
      if (level != null) {
        compression.checkLevel(level);
      }
      return this;
    }

    /** The compression level; default the compression's {@link InitrdCompression#defaultLevel()}. */
    public Builder level(int level) {
      this.level = compression.checkLevel(level);
      return this;
    }

    /** Leaves out these absolute in-image paths and everything below them. */
    public Builder exclude(String... paths) {
      for (String p : paths) {
        ImagePath ip = ImagePath.of(p);
        if (ip.isRoot()) {
          throw new IllegalArgumentException("cannot exclude the root: '" + p + "'");
        }
        excludes.add(ip);
      }
      return this;
    }

    /**
     * Puts {@code blob} (the concatenated microcode updates of one vendor) into an uncompressed
     * cpio in front of the main archive, where the kernel looks for it before anything else.
     */
    public Builder earlyMicrocode(CpuVendor vendor, byte[] blob) {
      Objects.requireNonNull(vendor, "vendor");
      if (blob == null || blob.length == 0) {
        throw new IllegalArgumentException("early microcode for " + vendor + " is empty");
      }
      microcode.put(vendor, blob.clone());
      return this;
    }

    /** Clamps every mtime to this date; default {@link SourceDate#fromEnvironment()} at write time. */
    public Builder sourceDate(SourceDate sourceDate) {
      this.sourceDate = Objects.requireNonNull(sourceDate, "sourceDate");
      return this;
    }

    /** The initrd for the settings given so far; nothing is read or written until {@code writeTo}. */
    public Initrd build() {
      return new Initrd(this);
    }
  }
}
