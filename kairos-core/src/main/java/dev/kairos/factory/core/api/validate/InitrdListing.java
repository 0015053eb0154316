package dev.kairos.factory.core.api.validate;

import dev.kairos.factory.core.api.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.lzma.LZMACompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * The entry names of an initramfs, read in-process as the kernel reads it: newc cpio archives one
 * after another (an uncompressed early-microcode archive first, as dracut and our own initrd writer
 * put it), zero padding between them, and a compressed archive (gzip, xz, zstd, lzma, bzip2) whose
 * content may itself be several archives. Not API: the validator's reader.
 */
final class InitrdListing {
  private static final byte[] NEWC = "070701".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] NEWC_CRC = "070702".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** The entry names, in archive order, and the parts the file was made of (e.g. {@code cpio, xz}). */
  record Listing(List<String> names, List<String> parts) {
    Listing {
      names = List.copyOf(names);
      parts = List.copyOf(parts);
    }

    /** True if an entry's name contains {@code text}, as a search of {@code lsinitrd}'s listing would. */
    boolean mentions(String text) {
      return names.stream().anyMatch(n -> n.contains(text));
    }
  }

  private InitrdListing() {}

  /**
   * Reads every archive of {@code in} (not closed here).
   *
   * @param source how to name the file in errors, e.g. {@code /boot/initrd}
   * @throws InvalidInputException if a part is neither a newc cpio archive nor in a known compression
   */
  static Listing read(InputStream in, String source) throws IOException {
    List<String> names = new ArrayList<>();
    List<String> parts = new ArrayList<>();
    readAll(new BufferedInputStream(in), source, names, parts, false);
    return new Listing(names, parts);
  }

  private static void readAll(BufferedInputStream in, String source, List<String> names, List<String> parts,
      boolean decompressed) throws IOException {
    while (true) {
      skipZeros(in);
      byte[] magic = peek(in, 6);
      if (magic.length == 0) {
        return;
      }
      if (startsWith(magic, NEWC) || startsWith(magic, NEWC_CRC)) {
        parts.add("cpio");
        readCpio(in, names);
        continue;
      }
      if (decompressed) {
        throw new InvalidInputException(source, "the decompressed content is not a newc cpio archive (starts with "
            + hex(magic) + ")");
      }
      InputStream inner = decompressor(in, Arrays.copyOf(magic, 6), source, parts);
      // A compressed archive is the last part: the kernel, like us, reads it to the end.
      readAll(new BufferedInputStream(inner), source, names, parts, true);
      return;
    }
  }

  private static void readCpio(InputStream in, List<String> names) throws IOException {
    // Block size 4: newc pads to 4 bytes; the zero padding after the trailer is skipped by the caller,
    // so a short archive does not swallow the start of the next one.
    CpioArchiveInputStream cpio = new CpioArchiveInputStream(new NonClosing(in), 4);
    CpioArchiveEntry e;
    while ((e = cpio.getNextEntry()) != null) {
      names.add(e.getName());
    }
  }

  private static InputStream decompressor(InputStream in, byte[] m, String source, List<String> parts)
      throws IOException {
    if (u(m[0]) == 0x1f && (u(m[1]) == 0x8b || u(m[1]) == 0x9e)) {
      parts.add("gzip");
      return new GzipCompressorInputStream(in, true);
    }
    if (startsWith(m, new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0})) {
      parts.add("xz");
      return new XZCompressorInputStream(in, true);
    }
    if (startsWith(m, new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd})) {
      parts.add("zstd");
      return new ZstdCompressorInputStream(in);
    }
    if (startsWith(m, new byte[] {'B', 'Z', 'h'})) {
      parts.add("bzip2");
      return new BZip2CompressorInputStream(in, true);
    }
    if (u(m[0]) == 0x5d && m[1] == 0 && m[2] == 0) {
      parts.add("lzma");
      return new LZMACompressorInputStream(in);
    }
    throw new InvalidInputException(source, "neither a newc cpio archive nor gzip, xz, zstd, lzma or bzip2 data"
        + " (starts with " + hex(m) + ")");
  }

  private static void skipZeros(BufferedInputStream in) throws IOException {
    while (true) {
      in.mark(1);
      int b = in.read();
      if (b != 0) {
        if (b != -1) {
          in.reset();
        }
        return;
      }
    }
  }

  private static byte[] peek(BufferedInputStream in, int n) throws IOException {
    in.mark(n);
    byte[] b = in.readNBytes(n);
    in.reset();
    return b;
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static int u(byte b) {
    return b & 0xff;
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) {
      s.append(String.format("%02x", x));
    }
    return s.toString();
  }

  /** Keeps the cpio reader from closing the stream the next archive is read from. */
  private static final class NonClosing extends FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
