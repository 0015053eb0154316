package dev.kairos.factory.core.testing;

import static dev.kairos.factory.core.testing.RootFsAssert.io;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one file of a root, reached from {@link RootFsAssert}; {@link #and()} goes back to
 * the root to chain the next path. Modes are compared as full 12-bit values and shown in octal.
 */
public final class RootFsEntryAssert extends AbstractAssert<RootFsEntryAssert, FileMetadata> {
  private final RootFsAssert parent;
  private final RootFs root;
  private final String asked;
  private final ImagePath path;

  RootFsEntryAssert(RootFsAssert parent, RootFs root, String asked, ImagePath path, FileMetadata metadata) {
    super(metadata, RootFsEntryAssert.class);
    this.parent = parent;
    this.root = root;
    this.asked = asked;
    this.path = path;
  }

  /** Back to the root, for the next path. */
  public RootFsAssert and() {
    return parent;
  }

  /** The permission bits with setuid, setgid and sticky, e.g. {@code 04755}. */
  public RootFsEntryAssert withMode(int mode) {
    if (actual.mode() != mode) {
      failWithMessage("expected %s to have mode %04o but it has %04o", asked, mode, actual.mode());
    }
    return this;
  }

  /** The numeric owner and group, e.g. {@code withOwner(0, 0)} for root. */
  public RootFsEntryAssert withOwner(int uid, int gid) {
    if (actual.uid() != uid || actual.gid() != gid) {
      failWithMessage("expected %s to be owned by %d:%d but it is owned by %d:%d", asked, uid, gid, actual.uid(), actual.gid());
    }
    return this;
  }

  /** The modification time, exactly (compared as an {@link Instant}). */
  public RootFsEntryAssert withMtime(Instant mtime) {
    if (!actual.mtime().equals(mtime)) {
      failWithMessage("expected %s to have mtime %s but it has %s", asked, mtime, actual.mtime());
    }
    return this;
  }

  /** The size in bytes (content of a file, target length of a symlink). */
  public RootFsEntryAssert withSize(long size) {
    if (actual.size() != size) {
      failWithMessage("expected %s to have size %d but it has %d", asked, size, actual.size());
    }
    return this;
  }

  /** The extended attribute {@code name} exists and holds exactly {@code value}. */
  public RootFsEntryAssert withXattr(String name, byte[] value) {
    Map<String, byte[]> x = actual.xattrs();
    if (!x.containsKey(name)) {
      failWithMessage("expected %s to have the extended attribute %s but it has %s", asked, name, x.keySet());
    }
    if (!Arrays.equals(x.get(name), value)) {
      failWithMessage("expected the extended attribute %s of %s to be %s but it is %s", name, asked,
          Arrays.toString(value), Arrays.toString(x.get(name)));
    }
    return this;
  }

  /** The whole content, as UTF-8 text. */
  public RootFsEntryAssert withContent(String expected) {
    String content = text();
    if (!content.equals(expected)) {
      failWithMessage("expected %s to contain exactly%n  <%s>%nbut it contains%n  <%s>", asked, expected, content);
    }
    return this;
  }

  /** The content, as UTF-8 text, contains each of {@code parts}. */
  public RootFsEntryAssert withContentContaining(String... parts) {
    String content = text();
    for (String part : parts) {
      if (!content.contains(part)) {
        failWithMessage("expected %s to contain%n  <%s>%nbut it contains%n  <%s>", asked, part, content);
      }
    }
    return this;
  }

  /** The whole content, byte for byte. */
  public RootFsEntryAssert withContent(byte[] expected) {
    byte[] content = io(() -> root.readAllBytes(path));
    if (!Arrays.equals(content, expected)) {
      failWithMessage("expected %s to hold %d given bytes but it holds %d different bytes", asked, expected.length, content.length);
    }
    return this;
  }

  /** A directory's entries, exactly and in byte order. */
  public RootFsEntryAssert withEntries(String... names) {
    List<String> actualNames = entries();
    if (!actualNames.equals(List.of(names))) {
      failWithMessage("expected %s to hold exactly %s but it holds %s", asked, List.of(names), actualNames);
    }
    return this;
  }

  /** A directory holds at least these entries. */
  public RootFsEntryAssert containingEntries(String... names) {
    List<String> actualNames = entries();
    for (String n : names) {
      if (!actualNames.contains(n)) {
        failWithMessage("expected %s to hold %s but it holds %s", asked, n, actualNames);
      }
    }
    return this;
  }

  private String text() {
    if (actual.type() != FileType.REGULAR) {
      failWithMessage("expected %s to be a regular file with content but it is %s", asked, actual);
    }
    return io(() -> root.readString(path));
  }

  private List<String> entries() {
    if (actual.type() != FileType.DIRECTORY) {
      failWithMessage("expected %s to be a directory but it is %s", asked, actual);
    }
    return io(() -> root.list(path));
  }
}
