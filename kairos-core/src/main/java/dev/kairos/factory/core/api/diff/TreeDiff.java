package dev.kairos.factory.core.api.diff;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.FsEntry;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares two root file systems file by file, as {@link RootFs#walk} sees them (symlinks never
 * followed, metadata from the overlay where the store cannot hold it): a file on one side only
 * ({@code present}), and for a path on both sides its {@code type}, {@code content} (SHA-256 and
 * size), {@code mode}, {@code uid}, {@code gid}, {@code mtime}, {@code target} (symlinks),
 * {@code hardlink} (the first name of a hardlinked file), {@code device} and each
 * {@code xattr:NAME}. Contents are streamed, so a multi-GB root needs no large heap.
 *
 * <pre>{@code
 * DiffReport r = TreeDiff.compare(RootFs.at(Path.of("a")), RootFs.at(Path.of("b")));
 * r.differences().forEach(System.out::println);   // "/usr/bin/sudo: mode 4755 -> 0755"
 * }</pre>
 */
public final class TreeDiff {
  private TreeDiff() {
  }

  /** The differences between the trees of {@code left} and {@code right}, from their roots. */
  public static DiffReport compare(RootFs left, RootFs right) throws IOException {
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
    return DiffReport.of("root", compare("", facts(left), facts(right)));
  }

  /**
   * The differences between two maps of facts by place (each place's facts by field), each place
   * prefixed with {@code prefix}: a place on one side only is one {@code present} difference
   * (its {@code type} fact, or {@code yes}), a place on both one difference per differing field.
   * The structure comparers of other modules describe what they read this way.
   */
  public static List<Difference> compare(String prefix, Map<String, Map<String, String>> left,
      Map<String, Map<String, String>> right) {
    List<Difference> out = new ArrayList<>();
    TreeSet<String> places = new TreeSet<>(left.keySet());
    places.addAll(right.keySet());
    for (String place : places) {
      Map<String, String> l = left.get(place);
      Map<String, String> r = right.get(place);
      String where = prefix + place;
      if (l == null || r == null) {
        Map<String, String> present = l == null ? r : l;
        String what = present.getOrDefault("type", "yes");
        out.add(Difference.of(where, "present", l == null ? null : what, r == null ? null : what));
        continue;
      }
      if (!Objects.equals(l.get("type"), r.get("type"))) {
        // Another kind of thing: its other fields would only repeat that.
        out.add(Difference.of(where, "type", l.get("type"), r.get("type")));
        continue;
      }
      TreeSet<String> fields = new TreeSet<>(l.keySet());
      fields.addAll(r.keySet());
      for (String field : fields) {
        if (!Objects.equals(l.get(field), r.get(field))) {
          out.add(Difference.of(where, field, l.get(field), r.get(field)));
        }
      }
    }
    return out;
  }

  /** Every entry's facts by path. */
  private static Map<String, Map<String, String>> facts(RootFs root) throws IOException {
    Map<String, Map<String, String>> facts = new TreeMap<>();
    root.walk(ImagePath.ROOT, e -> facts.put(e.path().toString(), facts(e)));
    return facts;
  }

  private static Map<String, String> facts(FsEntry e) throws IOException {
    FileMetadata m = e.metadata();
    Map<String, String> f = new LinkedHashMap<>();
    f.put("type", e.type().name().toLowerCase(java.util.Locale.ROOT));
    f.put("mode", String.format("%04o", m.mode()));
    f.put("uid", Integer.toString(m.uid()));
    f.put("gid", Integer.toString(m.gid()));
    f.put("mtime", m.mtime().toString());
    e.symlinkTarget().ifPresent(t -> f.put("target", t));
    if (e.hardlinkOf().isPresent()) {
      f.put("hardlink", e.hardlinkOf().get().toString());
    } else if (e.type() == FileType.REGULAR) {
      f.put("content", sha256(e) + " (" + m.size() + " bytes)");
    }
    if (e.type() == FileType.CHAR_DEVICE || e.type() == FileType.BLOCK_DEVICE) {
      f.put("device", m.deviceMajor() + ":" + m.deviceMinor());
    }
    m.xattrs().forEach((name, value) -> f.put("xattr:" + name, printable(value)));
    return f;
  }

  private static String sha256(FsEntry e) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = e.openContent()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  /** Text when the value is UTF-8 without control characters (trailing NUL dropped), else hex. */
  private static String printable(byte[] value) {
    int len = value.length > 0 && value[value.length - 1] == 0 ? value.length - 1 : value.length;
    try {
      String s = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(value, 0, len)).toString();
      if (s.chars().noneMatch(Character::isISOControl)) {
        return "\"" + s + "\"";
      }
    } catch (CharacterCodingException ex) {
      // not text
    }
    return "0x" + HexFormat.of().formatHex(value);
  }
}
