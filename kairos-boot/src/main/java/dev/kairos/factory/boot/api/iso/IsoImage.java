package dev.kairos.factory.boot.api.iso;

import dev.kairos.factory.boot.internal.iso.IsoWriter;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.io.AtomicFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An ISO 9660 image written in Java: Rock Ridge (modes, owners, times, long names, symlinks), a
 * Joliet tree as AuroraBoot's xorriso call makes ({@code -joliet on}), El Torito boot entries for
 * BIOS (no emulation, boot-info table, GRUB's boot info) and EFI, and a hybrid MBR/GPT system
 * area so that the same file boots from a CD drive and written to a disk.
 * The output depends only on the inputs: entries are sorted and every time is the source date.
 *
 * <pre>{@code
 * IsoImage.builder()
 *     .volumeId("COS_LIVE")
 *     .file("/boot/kernel", Path.of("vmlinuz"))
 *     .file("/boot/eltorito.img", Path.of("eltorito.img"))
 *     .file("/boot/uefi.img", Path.of("uefi.img"))
 *     .biosBoot("/boot/eltorito.img", Files.readAllBytes(Path.of("boot_hybrid.img")))
 *     .efiBoot("/boot/uefi.img")
 *     .build()
 *     .writeTo(Path.of("live.iso"));
 * }</pre>
 *
 * <p>Limits: files below 4 GiB (no multi-extent files); the Joliet tree has no symlinks and cuts
 * names to 64 characters; no relocation of directories deeper than 8 levels (Linux, GRUB and
 * xorriso read them through Rock Ridge).
 */
public final class IsoImage {
  private final List<Entry> entries;
  private final String volumeId;
  private final SourceDate sourceDate;
  private final IsoWriter.Boot boot;

  private IsoImage(Builder b) {
    this.entries = List.copyOf(b.entries);
    this.volumeId = b.volumeId;
    this.sourceDate = b.sourceDate;
    this.boot = new IsoWriter.Boot(b.bios, b.hybridMbr == null ? null : b.hybridMbr.clone(), b.efi, b.hybrid);
  }

  /** Starts an empty image: volume id {@code CDROM}, dates at the epoch, no boot entries, hybrid on. */
  public static Builder builder() {
    return new Builder();
  }

  /** The volume label in the primary volume descriptor. */
  public String volumeId() {
    return volumeId;
  }

  /** Writes the image to {@code out}, replacing it atomically (see {@link AtomicFile}). */
  public void writeTo(Path out) throws IOException {
    AtomicFile.write(out, tmp -> {
      try (SeekableByteChannel ch = Files.newByteChannel(tmp, StandardOpenOption.WRITE)) {
        writeTo(ch);
      }
    });
  }

  /**
   * Writes the image from position 0 of {@code ch}, which must read as zeros where nothing is
   * written (a new file).
   */
  public void writeTo(SeekableByteChannel ch) throws IOException {
    IsoWriter w = new IsoWriter(volumeId, sourceDate.instant(), boot);
    for (Entry e : entries) {
      if (e.symlink != null) {
        w.addSymlink(e.path, e.symlink);
      } else if (e.content != null) {
        w.addFile(e.path, e.content, e.mode);
      } else if (e.writer != null) {
        w.addFile(e.path, e.writer, e.mode);
      } else {
        w.directory(e.path);
      }
    }
    w.write(ch);
  }

  /** Makes the bytes of a file straight into the image; see {@link Builder#file(String, ContentWriter)}. */
  @FunctionalInterface
  public interface ContentWriter {
    /**
     * Writes the file from position 0 of {@code ch}, a channel over its place in the image that
     * reads as zeros where nothing is written; the file is as long as the writes reached.
     */
    void writeTo(SeekableByteChannel ch) throws IOException;
  }

  private record Entry(ImagePath path, IsoWriter.Content content, ContentWriter writer, int mode, String symlink) {}

  /** Collects the tree and the boot setup; paths are absolute in-image paths. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();
    private String volumeId = "CDROM";
    private SourceDate sourceDate = SourceDate.of(Instant.EPOCH);
    private ImagePath bios;
    private byte[] hybridMbr;
    private ImagePath efi;
    private boolean hybrid = true;

    private Builder() {}

    /** The volume label (e.g. {@code COS_LIVE}): 1 to 32 characters of A-Z, 0-9 and underscore. */
    public Builder volumeId(String id) {
      if (id == null || id.isEmpty() || id.length() > 32 || !id.chars().allMatch(c -> (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9') || c == '_')) {
        throw new IllegalArgumentException("a volume id is 1-32 characters of A-Z 0-9 _, got '" + id + "'");
      }
      this.volumeId = id;
      return this;
    }

    /** The time written for every entry and the volume; default the epoch. */
    public Builder sourceDate(SourceDate date) {
      this.sourceDate = Objects.requireNonNull(date, "date");
      return this;
    }

    /** A file with the content of a host file (read at write time), mode 0644. */
    public Builder file(String path, Path hostFile) throws IOException {
      return file(path, hostFile, 0644);
    }

    /** A file with the content of a host file and the given permission bits. */
    public Builder file(String path, Path hostFile, int mode) throws IOException {
      long size = Files.size(hostFile);
      return add(path, new IsoWriter.Content() {
        @Override
        public long size() {
          return size;
        }

        @Override
        public InputStream open() throws IOException {
          return Files.newInputStream(hostFile);
        }
      }, mode);
    }

    /** A file with fixed content, mode 0644. */
    public Builder file(String path, byte[] content) {
      byte[] copy = content.clone();
      return add(path, new IsoWriter.Content() {
        @Override
        public long size() {
          return copy.length;
        }

        @Override
        public InputStream open() {
          return new ByteArrayInputStream(copy);
        }
      }, 0644);
    }

    /**
     * A file made when the image is written, mode 0644: {@code writer} writes it straight into its
     * place in the image, and its size is how far it wrote. For a large file made only to be put
     * into the image (a squashfs of a whole rootfs): its bytes are written once, instead of to a
     * file of their own that is then read back and copied in. The output is the same bytes as
     * with that file given by {@link #file(String, Path)}.
     */
    public Builder file(String path, ContentWriter writer) {
      entries.add(new Entry(file(path), null, Objects.requireNonNull(writer, "writer"), 0644, null));
      return this;
    }

    private Builder add(String path, IsoWriter.Content content, int mode) {
      if (mode < 0 || mode > 07777) {
        throw new IllegalArgumentException("mode must be within 0..07777, got 0" + Integer.toOctalString(mode));
      }
      entries.add(new Entry(file(path), content, null, mode, null));
      return this;
    }

    /** A symlink; the target is stored verbatim. */
    public Builder symlink(String path, String target) {
      if (target == null || target.isEmpty()) {
        throw new IllegalArgumentException("symlink " + path + " needs a target");
      }
      entries.add(new Entry(file(path), null, null, 0777, target));
      return this;
    }

    /** An (empty) directory and its parents. */
    public Builder directory(String path) {
      entries.add(new Entry(ImagePath.of(path), null, null, 0755, null));
      return this;
    }

    /**
     * Boots BIOS machines from the file at {@code imagePath} (a no-emulation image, loaded 2048
     * bytes at a time as GRUB's {@code eltorito.img} expects). With {@code hybridMbr} (GRUB's
     * {@code boot_hybrid.img}, at least 432 bytes) the image is treated as GRUB's: its boot info is
     * patched and the MBR loads it when the file boots as a disk; null for a plain CD boot. The
     * image is read to fill in its boot-info table, so it cannot be a file made in place.
     */
    public Builder biosBoot(String imagePath, byte[] hybridMbr) {
      if (hybridMbr != null && (hybridMbr.length < 432 || hybridMbr.length > 512)) {
        throw new IllegalArgumentException("the hybrid MBR is 432 to 512 bytes, got " + hybridMbr.length);
      }
      this.bios = file(imagePath);
      this.hybridMbr = hybridMbr == null ? null : hybridMbr.clone();
      return this;
    }

    /** Boots EFI machines from the FAT image at {@code imagePath}; it is also the ESP of the hybrid GPT. */
    public Builder efiBoot(String imagePath) {
      this.efi = file(imagePath);
      return this;
    }

    /** Whether to write the MBR/GPT system area (default true; needs a boot image to be useful). */
    public Builder hybrid(boolean hybrid) {
      this.hybrid = hybrid;
      return this;
    }

    private static ImagePath file(String path) {
      ImagePath p = ImagePath.of(Objects.requireNonNull(path, "path"));
      if (p.isRoot()) {
        throw new IllegalArgumentException("a file needs a name, got '" + path + "'");
      }
      return p;
    }

    /** The image for the entries given so far; host files are read only when it is written. */
    public IsoImage build() {
      return new IsoImage(this);
    }
  }
}
