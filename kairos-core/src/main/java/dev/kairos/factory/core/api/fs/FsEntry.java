package dev.kairos.factory.core.api.fs;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * One file met by {@link RootFs#walk}: its in-image path, its metadata, the symlink target or the
 * earlier path it is a hardlink of, and a way to read its content. Archive writers turn each entry
 * into one archive record.
 */
public final class FsEntry {
  /** Opens the content of a regular file. */
  @FunctionalInterface
  public interface ContentSource {
    /**
     * A new stream over the content, for the caller to close.
     *
     * @throws IOException if the file cannot be opened
     */
    InputStream open() throws IOException;
  }

  private final ImagePath path;
  private final FileMetadata metadata;
  private final String symlinkTarget;
  private final ImagePath hardlinkOf;
  private final ContentSource content;

  /**
   * @param path the in-image path
   * @param metadata type, mode, owner, times and extended attributes
   * @param symlinkTarget the link target, present exactly when {@code metadata} is a symlink's
   * @param hardlinkOf for a second or later name of a hardlinked file, the first name met
   * @param content opens the content of a regular file
   * @throws IllegalArgumentException when a symlink target is given for a non-symlink, or missing for a symlink
   */
  public FsEntry(ImagePath path, FileMetadata metadata, Optional<String> symlinkTarget,
      Optional<ImagePath> hardlinkOf, ContentSource content) {
    this.path = Objects.requireNonNull(path, "path");
    this.metadata = Objects.requireNonNull(metadata, "metadata");
    this.symlinkTarget = symlinkTarget.orElse(null);
    this.hardlinkOf = hardlinkOf.orElse(null);
    this.content = Objects.requireNonNull(content, "content");
    if ((this.symlinkTarget != null) != (metadata.type() == FileType.SYMLINK)) {
      throw new IllegalArgumentException(path + ": a symlink target is given exactly for symlinks");
    }
  }

  /** The in-image path. */
  public ImagePath path() {
    return path;
  }

  /** Type, mode, owner, times and extended attributes. */
  public FileMetadata metadata() {
    return metadata;
  }

  /** The file type, from the metadata. */
  public FileType type() {
    return metadata.type();
  }

  /** The link target, verbatim, for a symlink. */
  public Optional<String> symlinkTarget() {
    return Optional.ofNullable(symlinkTarget);
  }

  /** For the second and later names of a hardlinked regular file: the first name met in walk order. */
  public Optional<ImagePath> hardlinkOf() {
    return Optional.ofNullable(hardlinkOf);
  }

  /**
   * Opens the content; only for regular files that are not {@link #hardlinkOf() a later hardlink}
   * (an archive stores the content once).
   */
  public InputStream openContent() throws IOException {
    if (metadata.type() != FileType.REGULAR) {
      throw new IllegalStateException(path + " is a " + metadata.type() + ", it has no content");
    }
    return content.open();
  }

  @Override
  public String toString() {
    return path + " " + metadata
        + (symlinkTarget != null ? " -> " + symlinkTarget : "")
        + (hardlinkOf != null ? " link to " + hardlinkOf : "");
  }
}
