package dev.kairos.factory.core.internal.fs;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.fs.FileType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text form of overlay records, one file per line, so that a metadata overlay outlives its
 * process: {@code PATH field=value ...}, the in-image path percent-encoded, then only the fields
 * the overlay holds, e.g. {@code /usr/bin/sudo mode=4755 uid=0 gid=27 xattr.security.capability=AQAAAg==}
 * ({@code xattrs=none} where the overlay says the file has no extended attributes at all).
 * The first line names the format and its version.
 */
public final class OverlayFile {
  /** The first line of every overlay file. */
  public static final String HEADER = "# kairos metadata overlay v1";

  private OverlayFile() {}

  /** One record as a line (without the newline). */
  public static String format(String path, MetadataOverlay.Record rec) {
    StringBuilder b = new StringBuilder(encodePath(path));
    if (rec.mode != null) {
      b.append(" mode=").append(Integer.toOctalString(rec.mode));
    }
    if (rec.uid != null) {
      b.append(" uid=").append(rec.uid);
    }
    if (rec.gid != null) {
      b.append(" gid=").append(rec.gid);
    }
    if (rec.specialType != null) {
      b.append(" type=").append(rec.specialType.name());
      if (rec.specialType.isDevice()) {
        b.append(" dev=").append(rec.deviceMajor).append(',').append(rec.deviceMinor);
      }
    }
    if (rec.xattrs != null && rec.xattrs.isEmpty()) {
      b.append(" xattrs=none"); // the file has none, whatever the disk holds
    } else if (rec.xattrs != null) {
      for (Map.Entry<String, byte[]> x : rec.xattrs.entrySet()) {
        b.append(" xattr.").append(encodePath(x.getKey())).append('=').append(Base64.getEncoder().encodeToString(x.getValue()));
      }
    }
    return b.toString();
  }

  /** The path of a line. */
  public static String path(String line, String source, int lineNo) throws InvalidInputException {
    int sp = line.indexOf(' ');
    return decode(sp < 0 ? line : line.substring(0, sp), source, lineNo);
  }

  /** Parses the fields of a line into {@code rec}. */
  public static void parse(String line, MetadataOverlay.Record rec, String source, int lineNo) throws InvalidInputException {
    String[] parts = line.split(" ");
    for (int i = 1; i < parts.length; i++) {
      String f = parts[i];
      int eq = f.indexOf('=');
      if (eq <= 0) {
        throw new InvalidInputException(source, lineNo, 0, "expected field=value, got '" + f + "'");
      }
      String name = f.substring(0, eq);
      String value = f.substring(eq + 1);
      try {
        if (name.equals("mode")) {
          rec.mode = Integer.parseInt(value, 8);
          if (rec.mode < 0 || rec.mode > 07777) {
            throw new InvalidInputException(source, lineNo, 0, "mode out of range: " + value);
          }
        } else if (name.equals("uid")) {
          rec.uid = Integer.parseInt(value);
        } else if (name.equals("gid")) {
          rec.gid = Integer.parseInt(value);
        } else if (name.equals("type")) {
          rec.specialType = FileType.valueOf(value);
        } else if (name.equals("dev")) {
          String[] mm = value.split(",", 2);
          rec.deviceMajor = Integer.parseInt(mm[0]);
          rec.deviceMinor = Integer.parseInt(mm[1]);
        } else if (name.equals("xattrs") && value.equals("none")) {
          rec.xattrs = rec.xattrs != null ? rec.xattrs : new TreeMap<>();
        } else if (name.startsWith("xattr.")) {
          rec.xattrs = rec.xattrs != null ? rec.xattrs : new TreeMap<>();
          rec.xattrs.put(decode(name.substring("xattr.".length()), source, lineNo), Base64.getDecoder().decode(value));
        } else {
          throw new InvalidInputException(source, lineNo, 0, "unknown field '" + name + "'");
        }
      } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
        throw new InvalidInputException(source, lineNo, 0, "bad value for " + name + ": '" + value + "'");
      }
    }
  }

  /** Percent-encodes every byte of the UTF-8 form but letters, digits and {@code /._-+:@,}. */
  static String encodePath(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "/._-+:@,".indexOf(c) >= 0) {
        b.append((char) c);
      } else {
        b.append('%').append(String.format("%02X", c));
      }
    }
    return b.toString();
  }

  static String decode(String s, String source, int lineNo) throws InvalidInputException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new InvalidInputException(source, lineNo, i + 1, "truncated %-escape in '" + s + "'");
        }
        try {
          out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        } catch (NumberFormatException e) {
          throw new InvalidInputException(source, lineNo, i + 1, "bad %-escape in '" + s + "'");
        }
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
