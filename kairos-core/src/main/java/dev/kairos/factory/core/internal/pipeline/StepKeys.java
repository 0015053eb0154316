package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The digests the step cache keys are made of. A key is a SHA-256 over named parts, each part
 * length-prefixed so that no two different lists of parts hash alike; a slot's key chains the
 * key before it, so a change anywhere changes every key after it and none before.
 */
final class StepKeys {
  /** Bumped when what a key covers changes, so that old entries miss instead of being misused. */
  static final String FORMAT = "kairos-step-cache-1";

  private final SortedMap<String, String> parts = new TreeMap<>();

  StepKeys put(String name, String value) {
    parts.put(name, value);
    return this;
  }

  /** The parts, sorted by name, as recorded in an entry for people reading the cache. */
  SortedMap<String, String> parts() {
    return new TreeMap<>(parts);
  }

  /** The key: a hex SHA-256 of the format and every part. */
  String digest() {
    MessageDigest d = sha256();
    update(d, FORMAT);
    for (Map.Entry<String, String> e : parts.entrySet()) {
      update(d, e.getKey());
      update(d, e.getValue());
    }
    return HexFormat.of().formatHex(d.digest());
  }

  static String sha256(String text) {
    return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  /**
   * A digest of a tree. With {@code content}, every regular file's bytes are hashed (for the
   * framework and provider trees, which are small); without, the stat data that changes whenever a
   * file is written, replaced, chmod-ed or chown-ed (path, type, mode, owner, size, mtime, link
   * target, device numbers, xattrs), as {@code docker diff} compares a tree: for the base root,
   * which is large and which the build cache lays out the same way every time.
   */
  static String tree(RootFs root, boolean content) throws IOException {
    MessageDigest d = sha256();
    byte[] buf = new byte[1 << 16];
    root.walk(ImagePath.ROOT, e -> {
      FileMetadata m = e.metadata();
      StringBuilder line = new StringBuilder().append(e.path()).append(' ').append(m.type()).append(' ')
          .append(Integer.toOctalString(m.mode())).append(' ').append(m.uid()).append(':').append(m.gid());
      if (m.type() != FileType.DIRECTORY) {
        line.append(' ').append(m.size());
      }
      if (!content && !e.path().isRoot()) { // the root directory is made anew for every build
        line.append(' ').append(m.mtime());
      }
      e.symlinkTarget().ifPresent(t -> line.append(" -> ").append(t));
      e.hardlinkOf().ifPresent(t -> line.append(" => ").append(t));
      if (m.type() == FileType.BLOCK_DEVICE || m.type() == FileType.CHAR_DEVICE) {
        line.append(' ').append(m.deviceMajor()).append(',').append(m.deviceMinor());
      }
      m.xattrs().forEach((k, v) -> line.append(' ').append(k).append('=').append(HexFormat.of().formatHex(v)));
      update(d, line.toString());
      if (content && m.type() == FileType.REGULAR && e.hardlinkOf().isEmpty()) {
        try (InputStream in = e.openContent()) {
          for (int n; (n = in.read(buf)) > 0; ) {
            d.update(buf, 0, n);
          }
        }
      }
    });
    return HexFormat.of().formatHex(d.digest());
  }

  /**
   * A digest of the package indexes in {@code dir} of {@code root} (its regular files, not apt's
   * {@code lock}; none when it is missing): each file's name, size and, unless the package manager
   * says another file vouches for its bytes ({@link PackageManager#indexVouchedFor}), its bytes. For
   * apt that is the Release files whole and the large indexes by name and size, so a mirror update
   * (a new Release file) changes it and digesting it costs little.
   */
  static String indexes(RootFs root, ImagePath dir, PackageManager pm) throws IOException {
    MessageDigest d = sha256();
    if (root.isDirectory(dir)) {
      java.util.SortedSet<String> names = new java.util.TreeSet<>();
      for (String n : root.list(dir)) {
        if (!n.equals("lock") && root.isRegularFile(dir.resolve(n))) {
          names.add(n);
        }
      }
      byte[] buf = new byte[1 << 16];
      for (String n : names) {
        ImagePath f = dir.resolve(n);
        update(d, n + " " + root.metadata(f).size());
        if (!pm.indexVouchedFor(n, java.util.Collections.unmodifiableSortedSet(names))) {
          MessageDigest content = sha256();
          try (InputStream in = root.newInputStream(f)) {
            for (int k; (k = in.read(buf)) > 0; ) {
              content.update(buf, 0, k);
            }
          }
          update(d, HexFormat.of().formatHex(content.digest()));
        }
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static void update(MessageDigest d, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    d.update(Long.toString(b.length).getBytes(StandardCharsets.US_ASCII));
    d.update((byte) ':');
    d.update(b);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
