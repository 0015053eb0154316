package dev.kairos.factory.boot.internal.pe;

import dev.kairos.factory.boot.internal.io.ChannelWrites;
import dev.kairos.factory.core.api.fs.FsEntry.ContentSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends sections to a PE32+ EFI stub the way ukify does: new headers right after the last one
 * (they must fit in SizeOfHeaders), each section at the next multiple of the stub's own
 * SectionAlignment after the previous one (virtually) and of FileAlignment (in the file), a
 * trailing COFF symbol table dropped, SizeOfImage and the size fields updated, and the PE
 * checksum recomputed. Section contents are streamed into the output file.
 */
public final class PeAssembler {
  /** A section to append: its content is opened when it is written. */
  public record Section(String name, long length, long virtualSize, boolean code, ContentSource content) {
  }

  /** Where an appended section went. */
  public record Placed(String name, long virtualAddress, long virtualSize, long fileOffset, long rawSize) {
  }

  private static final int SCN_CNT_CODE = 0x20;
  private static final int SCN_CNT_INITIALIZED_DATA = 0x40;
  private static final int SCN_MEM_READ = 0x40000000;

  private final ByteBuffer stub;
  private final int peOffset;
  private final int optOffset;
  private final int sectionTable;
  private final int sections;
  private final long sectionAlignment;
  private final long fileAlignment;
  private final long sizeOfHeaders;
  private final long stubEnd;
  private final long lastVirtualEnd;

  public PeAssembler(byte[] stubBytes) {
    this.stub = ByteBuffer.wrap(stubBytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
    if (stubBytes.length < 0x40 || stub.getShort(0) != 0x5A4D) {
      throw new IllegalArgumentException("the stub is not a PE file (no MZ header)");
    }
    peOffset = stub.getInt(0x3C);
    if (peOffset <= 0 || peOffset + 24 > stubBytes.length || stub.getInt(peOffset) != 0x00004550) {
      throw new IllegalArgumentException("the stub is not a PE file (no PE signature at " + peOffset + ")");
    }
    sections = Short.toUnsignedInt(stub.getShort(peOffset + 6));
    int optSize = Short.toUnsignedInt(stub.getShort(peOffset + 20));
    optOffset = peOffset + 24;
    if (Short.toUnsignedInt(stub.getShort(optOffset)) != 0x20B) {
      throw new IllegalArgumentException("the stub is not PE32+ (64-bit)");
    }
    sectionTable = optOffset + optSize;
    sectionAlignment = Integer.toUnsignedLong(stub.getInt(optOffset + 32));
    fileAlignment = Integer.toUnsignedLong(stub.getInt(optOffset + 36));
    sizeOfHeaders = Integer.toUnsignedLong(stub.getInt(optOffset + 60));
    int dirs = stub.getInt(optOffset + 108);
    if (dirs > 4 && stub.getInt(optOffset + 112 + 4 * 8 + 4) != 0) {
      throw new IllegalArgumentException("the stub is already signed; sections cannot be added to a signed stub");
    }
    long end = 0;
    long vend = 0;
    for (int i = 0; i < sections; i++) {
      int h = sectionTable + i * 40;
      long vs = Integer.toUnsignedLong(stub.getInt(h + 8));
      long va = Integer.toUnsignedLong(stub.getInt(h + 12));
      long raw = Integer.toUnsignedLong(stub.getInt(h + 16));
      long ptr = Integer.toUnsignedLong(stub.getInt(h + 20));
      end = Math.max(end, ptr + raw);
      vend = Math.max(vend, va + vs);
    }
    stubEnd = end;
    lastVirtualEnd = vend;
  }

  /** Names of the sections already in the stub. */
  public List<String> stubSectionNames() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < sections; i++) {
      out.add(name(sectionTable + i * 40));
    }
    return out;
  }

  public long sectionAlignment() {
    return sectionAlignment;
  }

  private String name(int h) {
    byte[] n = new byte[8];
    stub.get(h, n);
    int len = 0;
    while (len < 8 && n[len] != 0) {
      len++;
    }
    return new String(n, 0, len, StandardCharsets.US_ASCII);
  }

  /** Writes the stub plus {@code add} to {@code out} and returns where each section went. */
  public List<Placed> write(List<Section> add, Path out) throws IOException {
    for (Section s : add) {
      if (stubSectionNames().contains(s.name())) {
        throw new IllegalArgumentException("the stub already has a " + s.name() + " section");
      }
      if (s.name().length() > 8 || !s.name().startsWith(".")) {
        throw new IllegalArgumentException("PE section names are '.' plus up to 7 characters, got '" + s.name() + "'");
      }
    }
    long headersEnd = sectionTable + 40L * (sections + add.size());
    long firstRaw = Long.MAX_VALUE;
    for (int i = 0; i < sections; i++) {
      long ptr = Integer.toUnsignedLong(stub.getInt(sectionTable + i * 40 + 20));
      if (ptr != 0) {
        firstRaw = Math.min(firstRaw, ptr);
      }
    }
    if (headersEnd > Math.min(sizeOfHeaders, firstRaw)) {
      throw new IllegalArgumentException("not enough header space in the stub for " + add.size()
          + " more sections (headers end at " + headersEnd + ", SizeOfHeaders is " + sizeOfHeaders + ")");
    }
    ByteBuffer head = ByteBuffer.wrap(java.util.Arrays.copyOf(stub.array(), (int) stubEnd))
        .order(ByteOrder.LITTLE_ENDIAN);
    List<Placed> placed = new ArrayList<>();
    long va = roundUp(lastVirtualEnd, sectionAlignment);
    long file = roundUp(stubEnd, fileAlignment);
    long code = 0;
    long data = 0;
    for (int i = 0; i < add.size(); i++) {
      Section s = add.get(i);
      long raw = roundUp(s.length(), fileAlignment);
      long vs = Math.max(s.length(), s.virtualSize());
      int h = sectionTable + (sections + i) * 40;
      byte[] nm = new byte[8];
      byte[] src = s.name().getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(src, 0, nm, 0, src.length);
      head.put(h, nm);
      head.putInt(h + 8, (int) vs).putInt(h + 12, (int) va).putInt(h + 16, (int) raw).putInt(h + 20, (int) file);
      head.putInt(h + 24, 0).putInt(h + 28, 0).putInt(h + 32, 0);
      head.putInt(h + 36, (s.code() ? SCN_CNT_CODE : SCN_CNT_INITIALIZED_DATA) | SCN_MEM_READ);
      if (s.code()) {
        code += raw;
      } else {
        data += raw;
      }
      placed.add(new Placed(s.name(), va, vs, file, raw));
      va = roundUp(va + vs, sectionAlignment);
      file += raw;
      if (va > 0xFFFF_FFFFL || file > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("the UKI would exceed the 4 GiB a PE image can address");
      }
    }
    head.putShort(peOffset + 6, (short) (sections + add.size()));
    // No COFF symbol table in the output (ukify drops it too).
    head.putInt(peOffset + 12, 0).putInt(peOffset + 16, 0);
    head.putInt(optOffset + 4, (int) (Integer.toUnsignedLong(head.getInt(optOffset + 4)) + code));
    head.putInt(optOffset + 8, (int) (Integer.toUnsignedLong(head.getInt(optOffset + 8)) + data));
    head.putInt(optOffset + 56, (int) va);
    head.putInt(optOffset + 64, 0);
    try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      writeAll(ch, 0, head.array());
      for (int i = 0; i < add.size(); i++) {
        Section s = add.get(i);
        Placed p = placed.get(i);
        ch.position(p.fileOffset());
        try (InputStream in = s.content().open()) {
          ChannelWrites.copy(in, ch, s.length(), "section " + s.name());
        }
        long pad = p.rawSize() - s.length();
        if (pad > 0) {
          writeAll(ch, p.fileOffset() + s.length(), new byte[(int) pad]);
        }
      }
      writeChecksum(ch, optOffset + 64);
    }
    return placed;
  }

  /** Recomputes the PE checksum (16-bit one's-complement-style sum plus the file length). */
  public static void writeChecksum(FileChannel ch, long checksumOffset) throws IOException {
    long size = ch.size();
    long sum = 0;
    ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    long pos = 0;
    while (pos < size) {
      b.clear();
      // Fill the buffer completely (bar the end of file) so that words never straddle reads.
      while (b.hasRemaining() && ch.read(b, pos + b.position()) > 0) {
        // keep reading
      }
      int n = b.position();
      if (n == 0) {
        break;
      }
      b.flip();
      if ((n & 1) != 0) {
        b.limit(n + 1);
        b.put(n, (byte) 0);
      }
      while (b.remaining() >= 2) {
        long at = pos + b.position();
        int w = Short.toUnsignedInt(b.getShort());
        if (at == checksumOffset || at == checksumOffset + 2) {
          w = 0;
        }
        sum += w;
        sum = (sum & 0xFFFF) + (sum >>> 16);
      }
      pos += n;
    }
    sum = (sum & 0xFFFF) + (sum >>> 16);
    writeAll(ch, checksumOffset, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
        .putInt((int) (sum + size)).array());
  }

  private static void writeAll(FileChannel ch, long pos, byte[] data) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(data);
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }

  static long roundUp(long v, long a) {
    return (v + a - 1) / a * a;
  }
}
