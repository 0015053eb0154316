package dev.kairos.factory.oci.testsupport;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.oci.internal.image.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** One line per file of a root: path, type, mode, owner, link target or content hash, devices, xattrs; for comparing trees. */
public final class TreeDump {
  private TreeDump() {}

  /** Every entry under {@code /}, optionally with mtimes, in walk order. */
  public static List<String> of(RootFs root, boolean withMtimes) throws IOException {
    return of(root, withMtimes, true);
  }

  /**
   * Like {@link #of(RootFs, boolean)}; {@code withXattrs} false leaves extended attributes out (a
   * root written by another tool keeps them on disk, where {@link RootFs} does not read them).
   */
  public static List<String> of(RootFs root, boolean withMtimes, boolean withXattrs) throws IOException {
    List<String> out = new ArrayList<>();
    root.walk(ImagePath.ROOT, e -> {
      FileMetadata m = e.metadata();
      StringBuilder b = new StringBuilder(e.path().toString()).append(' ').append(m.type())
          .append(' ').append(String.format("%04o", m.mode())).append(' ').append(m.uid()).append(':').append(m.gid());
      if (m.type() == FileType.SYMLINK) {
        b.append(" -> ").append(e.symlinkTarget().orElseThrow());
      } else if (m.type() == FileType.REGULAR) {
        b.append(" size=").append(m.size()).append(" sha=").append(sha(e.openContent()));
      } else if (m.type().isDevice()) {
        b.append(" dev=").append(m.deviceMajor()).append(',').append(m.deviceMinor());
      }
      if (withXattrs) {
        m.xattrs().forEach((k, v) -> b.append(' ').append(k).append('=').append(HexFormat.of().formatHex(v)));
      }
      if (withMtimes && m.type() != FileType.SYMLINK) {
        b.append(" mtime=").append(m.mtime().getEpochSecond());
      }
      out.add(b.toString());
    });
    return out;
  }

  private static String sha(InputStream in) throws IOException {
    MessageDigest d = BlobStore.sha256();
    try (DigestInputStream s = new DigestInputStream(in, d)) {
      s.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(d.digest()).substring(0, 16);
  }
}
