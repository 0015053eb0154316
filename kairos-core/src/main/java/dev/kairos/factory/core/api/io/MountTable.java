package dev.kairos.factory.core.api.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the kernel has mounted, as this process sees it ({@code /proc/self/mountinfo}): the one
 * reader of that table, used to refuse a deletion that would reach into a mounted file system and
 * to check that a chroot's mounts are gone. Where the table cannot be read (not Linux), it is
 * empty.
 */
public final class MountTable {
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  private MountTable() {}

  /** The mount points strictly below {@code dir} (not {@code dir} itself), in the table's order. */
  public static List<Path> mountsBelow(Path dir) throws IOException {
    return mountsUnder(dir, false);
  }

  /** The mount points at or below {@code dir} (a real path), in the table's order. */
  public static List<Path> mountsAtOrBelow(Path dir) throws IOException {
    return mountsUnder(dir, true);
  }

  private static List<Path> mountsUnder(Path dir, boolean itself) throws IOException {
    List<Path> below = new ArrayList<>();
    for (Path p : mountPoints()) {
      if (p.startsWith(dir) && (itself || !p.equals(dir))) {
        below.add(p);
      }
    }
    return below;
  }

  /** Whether {@code dir} is itself a mount point. */
  public static boolean isMountPoint(Path dir) throws IOException {
    return mountPoints().contains(dir);
  }

  /** Every mount point, in the table's order (later mounts after earlier ones). */
  public static List<Path> mountPoints() throws IOException {
    List<Path> points = new ArrayList<>();
    if (!Files.isReadable(MOUNTINFO)) {
      return points;
    }
    for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
      // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": field 5 is the mount point.
      String[] f = line.split(" ", 6);
      if (f.length >= 5) {
        points.add(Path.of(unescape(f[4])));
      }
    }
    return points;
  }

  /** The kernel writes space, tab, newline and backslash in mount points as octal escapes ({@code \040}). */
  static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder b = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        b.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
