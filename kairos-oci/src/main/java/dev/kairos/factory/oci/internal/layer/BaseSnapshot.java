package dev.kairos.factory.oci.internal.layer;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.FsEntry;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a root looked like right after its base image was unpacked: per path, the stat data that
 * changes when a file is written, replaced, chmod-ed or chown-ed. Comparing a later walk with it
 * finds the added, changed and deleted files for a diff layer, the way {@code docker diff}
 * compares stat data rather than content.
 */
public final class BaseSnapshot {
  /** The stat data compared for one path. */
  public record Fingerprint(FileType type, int mode, int uid, int gid, long size, long mtimeNanos,
      String target, int major, int minor, int xattrs) {
    static Fingerprint of(FsEntry e) {
      FileMetadata m = e.metadata();
      int x = 0;
      for (Map.Entry<String, byte[]> a : m.xattrs().entrySet()) {
        x = 31 * x + a.getKey().hashCode() * 17 + Arrays.hashCode(a.getValue());
      }
      long nanos = m.mtime().getEpochSecond() * 1_000_000_000L + m.mtime().getNano();
      return new Fingerprint(m.type(), m.mode(), m.uid(), m.gid(), m.size(), nanos,
          e.symlinkTarget().orElse(""), m.deviceMajor(), m.deviceMinor(), x);
    }
  }

  private final NavigableMap<ImagePath, Fingerprint> entries;

  private BaseSnapshot(NavigableMap<ImagePath, Fingerprint> entries) {
    this.entries = entries;
  }

  /** Records every path of {@code root}. */
  public static BaseSnapshot of(RootFs root) throws IOException {
    NavigableMap<ImagePath, Fingerprint> m = new TreeMap<>();
    root.walk(ImagePath.ROOT, e -> m.put(e.path(), Fingerprint.of(e)));
    return new BaseSnapshot(m);
  }

  public Optional<Fingerprint> get(ImagePath path) {
    return Optional.ofNullable(entries.get(path));
  }

  /** Every recorded path, sorted. */
  public NavigableMap<ImagePath, Fingerprint> entries() {
    return java.util.Collections.unmodifiableNavigableMap(entries);
  }
}
