package dev.kairos.factory.boot.internal.squashfs;

import com.github.luben.zstd.Zstd;
import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/**
 * Compresses one squashfs block (a data block, a fragment block or an 8 KiB metadata block) on
 * its own, as the format requires. Not thread-safe: one instance per writing thread.
 */
abstract class BlockCompressor {
  /** The compressed form of {@code in[0..len)}, or {@code null} when it would not be smaller (the block is then stored as is). */
  abstract byte[] compress(byte[] in, int len);

  static BlockCompressor of(SquashfsOptions o) {
    switch (o.compression()) {
      case GZIP:
        return new Gzip(o.level());
      case ZSTD:
        return new Zstandard(o.level());
      case XZ:
        return new Xz(o.level(), o.blockSize());
      default:
        throw new IllegalArgumentException("unsupported compression " + o.compression());
    }
  }

  /** zlib streams (header and Adler-32), as the kernel's squashfs zlib decompressor expects. */
  private static final class Gzip extends BlockCompressor {
    private final Deflater deflater;
    private byte[] out = new byte[64 * 1024];

    Gzip(int level) {
      this.deflater = new Deflater(level, false);
    }

    @Override
    byte[] compress(byte[] in, int len) {
      deflater.reset();
      deflater.setInput(in, 0, len);
      deflater.finish();
      int n = 0;
      while (!deflater.finished()) {
        if (n == out.length) {
          if (n >= len) {
            return null;
          }
          out = Arrays.copyOf(out, out.length * 2);
        }
        n += deflater.deflate(out, n, out.length - n);
      }
      return n < len ? Arrays.copyOf(out, n) : null;
    }
  }

  private static final class Zstandard extends BlockCompressor {
    private final int level;
    private byte[] out = new byte[0];

    Zstandard(int level) {
      this.level = level;
    }

    @Override
    byte[] compress(byte[] in, int len) {
      int bound = (int) Zstd.compressBound(len);
      if (out.length < bound) {
        out = new byte[bound];
      }
      long n = Zstd.compressByteArray(out, 0, out.length, in, 0, len, level);
      if (Zstd.isError(n)) {
        throw new IllegalStateException("zstd: " + Zstd.getErrorName(n));
      }
      return n < len ? Arrays.copyOf(out, (int) n) : null;
    }
  }

  /** xz with a CRC32 check and a dictionary no larger than the block, which the kernel's decoder needs. */
  private static final class Xz extends BlockCompressor {
    private final LZMA2Options options;

    Xz(int level, int blockSize) {
      try {
        this.options = new LZMA2Options(level);
        options.setDictSize(Math.max(LZMA2Options.DICT_SIZE_MIN, Math.min(options.getDictSize(), blockSize)));
      } catch (IOException e) {
        throw new IllegalArgumentException("xz level " + level, e);
      }
    }

    @Override
    byte[] compress(byte[] in, int len) {
      ByteArrayOutputStream bos = new ByteArrayOutputStream(len / 2 + 64);
      try (XZOutputStream xz = new XZOutputStream(bos, options, XZ.CHECK_CRC32)) {
        xz.write(in, 0, len);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bos.size() < len ? bos.toByteArray() : null;
    }
  }
}
