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

  /** Wraps {@code raw} in the decompressor its first bytes call for. */
  public static InputStream decompress(InputStream raw) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(4);
    byte[] magic = in.readNBytes(4);
    in.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }
    if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
        && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
      return new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
    }
    return in;
  }
}
