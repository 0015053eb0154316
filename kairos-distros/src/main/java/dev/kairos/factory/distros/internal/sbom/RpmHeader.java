package dev.kairos.factory.distros.internal.sbom;

import dev.kairos.factory.core.api.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One rpm header, as rpmdb stores it (rpm's {@code headerExport}): big-endian {@code il}
 * (index entries) and {@code dl} (data bytes), {@code il} entries of tag, type, offset and count,
 * then the data store. A header read from a package file starts with the 8-byte magic
 * {@code 8e ad e8 01 00 00 00 00}, which is skipped when present. Every offset and count is
 * checked against the store, so a hostile blob fails naming the tag instead of reading outside.
 */
final class RpmHeader {
  static final int NAME = 1000;
  static final int VERSION = 1001;
  static final int RELEASE = 1002;
  static final int EPOCH = 1003;
  static final int VENDOR = 1011;
  static final int LICENSE = 1014;
  static final int PACKAGER = 1015;
  static final int ARCH = 1022;
  static final int PROVIDENAME = 1047;
  static final int REQUIRENAME = 1049;

  private static final int INT32 = 4;
  private static final int STRING = 6;
  private static final int STRING_ARRAY = 8;
  private static final int I18NSTRING = 9;

  private final String source;
  private final ByteBuffer data;
  private final Map<Integer, int[]> entries = new HashMap<>();

  private RpmHeader(String source, ByteBuffer data) {
    this.source = source;
    this.data = data;
  }

  /** Decodes the index of {@code blob}; values are decoded when asked for. */
  static RpmHeader parse(String source, byte[] blob) throws InvalidInputException {
    if (blob.length > Limits.MAX_HEADER_BYTES) {
      throw new InvalidInputException(source, "header of " + blob.length + " bytes, past the limit of " + Limits.MAX_HEADER_BYTES);
    }
    ByteBuffer b = ByteBuffer.wrap(blob);
    if (blob.length >= 8 && (blob[0] & 0xff) == 0x8e && (blob[1] & 0xff) == 0xad && (blob[2] & 0xff) == 0xe8) {
      b.position(8);
    }
    if (b.remaining() < 8) {
      throw new InvalidInputException(source, "header of " + blob.length + " bytes, too short for its index");
    }
    long il = Integer.toUnsignedLong(b.getInt());
    long dl = Integer.toUnsignedLong(b.getInt());
    if (il > Limits.MAX_HEADER_ENTRIES) {
      throw new InvalidInputException(source, "header with " + il + " index entries, past the limit of " + Limits.MAX_HEADER_ENTRIES);
    }
    if (il * 16 + dl != b.remaining()) {
      throw new InvalidInputException(source, "header says " + il + " entries and " + dl + " data bytes but holds "
          + b.remaining() + " bytes after its sizes");
    }
    int indexStart = b.position();
    ByteBuffer store = ByteBuffer.wrap(blob, indexStart + (int) il * 16, (int) dl).slice();
    RpmHeader h = new RpmHeader(source, store);
    for (int i = 0; i < il; i++) {
      int tag = b.getInt();
      int type = b.getInt();
      int offset = b.getInt();
      int count = b.getInt();
      if (offset < 0 || offset > dl || count < 0 || count > dl + 1) {
        throw new InvalidInputException(source, "tag " + tag + ": offset " + Integer.toUnsignedString(offset) + " or count "
            + Integer.toUnsignedString(count) + " outside the " + dl + "-byte data store");
      }
      h.entries.putIfAbsent(tag, new int[] {type, offset, count});
    }
    return h;
  }

  /** The first string of {@code tag} (a STRING, I18NSTRING or STRING_ARRAY), if present. */
  Optional<String> string(int tag) throws InvalidInputException {
    List<String> all = strings(tag);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  /** All strings of {@code tag}, empty if absent. */
  List<String> strings(int tag) throws InvalidInputException {
    int[] e = entries.get(tag);
    if (e == null) {
      return List.of();
    }
    if (e[0] != STRING && e[0] != STRING_ARRAY && e[0] != I18NSTRING) {
      throw new InvalidInputException(source, "tag " + tag + " has type " + e[0] + ", not a string");
    }
    int n = e[0] == STRING ? 1 : e[2];
    List<String> out = new ArrayList<>(Math.min(n, 1024));
    int pos = e[1];
    for (int i = 0; i < n; i++) {
      int end = pos;
      while (end < data.limit() && data.get(end) != 0) {
        end++;
      }
      if (end >= data.limit()) {
        throw new InvalidInputException(source, "tag " + tag + ": string " + i + " runs past the data store");
      }
      byte[] s = new byte[end - pos];
      data.get(pos, s);
      out.add(new String(s, StandardCharsets.UTF_8));
      pos = end + 1;
      if (e[0] == I18NSTRING) {
        break; // the first (C locale) translation is enough
      }
    }
    return out;
  }

  /** The first value of an INT32 {@code tag}, if present. */
  Optional<Integer> int32(int tag) throws InvalidInputException {
    int[] e = entries.get(tag);
    if (e == null || e[2] == 0) {
      return Optional.empty();
    }
    if (e[0] != INT32) {
      throw new InvalidInputException(source, "tag " + tag + " has type " + e[0] + ", not INT32");
    }
    if (e[1] + 4 > data.limit()) {
      throw new InvalidInputException(source, "tag " + tag + ": value runs past the data store");
    }
    return Optional.of(data.getInt(e[1]));
  }
}
