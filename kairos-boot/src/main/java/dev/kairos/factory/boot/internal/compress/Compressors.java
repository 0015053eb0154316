package dev.kairos.factory.boot.internal.compress;

import com.github.luben.zstd.ZstdOutputStream;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/** Wraps a stream in one of the {@link InitrdCompression}s; closing the result closes {@code out}. */
public final class Compressors {
  private Compressors() {
  }

  public static OutputStream wrap(OutputStream out, InitrdCompression c, int level) throws IOException {
    return wrap(out, c, level, Runtime.getRuntime().availableProcessors());
  }

  /** As {@link #wrap(OutputStream, InitrdCompression, int)}, with {@code threads} (at least 1) compressing where the format allows. */
  static OutputStream wrap(OutputStream out, InitrdCompression c, int level, int threads) throws IOException {
    switch (c) {
      case NONE:
        return new FilterOutputStream(out) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }
        };
      case GZIP:
        // Java's gzip header has mtime 0 and no file name, so the output is reproducible.
        return new GZIPOutputStream(out, 64 * 1024) {
          {
            def.setLevel(level);
          }
        };
      case ZSTD: {
        ZstdOutputStream z = new ZstdOutputStream(out, level);
        z.setChecksum(true);
        // Streaming zstd with one or more workers writes the same frame whatever their number, so
        // the output stays reproducible across machines while a whole rootfs (a UKI initrd) uses every core.
        z.setWorkers(Math.max(1, threads));
        return z;
      }
      case XZ: {
        LZMA2Options o = new LZMA2Options(level);
        // The kernel's xz decoder wants CRC32 and copes best with a small dictionary.
        o.setDictSize(Math.min(o.getDictSize(), 1 << 20));
        return new XZOutputStream(out, o, XZ.CHECK_CRC32);
      }
      case LZ4:
        return new Lz4LegacyOutputStream(out, level);
      default:
        throw new IllegalArgumentException("unknown compression " + c);
    }
  }
}
