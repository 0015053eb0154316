package dev.kairos.factory.oci.internal.layer;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Layer compressions, recognised by their magic bytes rather than trusted from a media type. */
public enum Compression {
  NONE(""),
  GZIP("+gzip"),
  ZSTD("+zstd");

  private final String mediaTypeSuffix;

  Compression(String mediaTypeSuffix) {
    this.mediaTypeSuffix = mediaTypeSuffix;
  }

  /** The suffix of the OCI layer media type: {@code +gzip}, {@code +zstd} or nothing. */
  public String mediaTypeSuffix() {
    return mediaTypeSuffix;
  }

  /** The compression whose magic bytes start {@code in} (reads up to four bytes). */
  public static Compression sniff(InputStream in) throws IOException {
    byte[] m = in.readNBytes(4);
    if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) {
      return GZIP;
    }
    if (m.length == 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
      return ZSTD;
    }
    return NONE;
  }

  /** Wraps {@code raw} in the decompressor its first bytes call for. */
  public static InputStream decompress(InputStream raw) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(4);
    Compression c = sniff(in);
    in.reset();
    return switch (c) {
      case GZIP -> new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
      case ZSTD -> new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
      case NONE -> in;
    };
  }
}
