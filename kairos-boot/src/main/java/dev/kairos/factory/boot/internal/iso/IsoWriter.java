package dev.kairos.factory.boot.internal.iso;

import dev.kairos.factory.boot.api.gpt.GptDisk;
import dev.kairos.factory.boot.api.gpt.GptType;
import dev.kairos.factory.boot.api.iso.IsoImage;
import dev.kairos.factory.boot.internal.io.WindowChannel;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.FsEntry.ContentSource;
import dev.kairos.factory.core.api.fs.ImagePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes an ISO 9660 image with Rock Ridge (POSIX modes, owners, times, long names, symlinks), a
 * Joliet tree (UCS-2 names of up to 64 characters, for readers without Rock Ridge; no symlinks,
 * which Joliet cannot hold), El Torito boot entries (BIOS no-emulation with a boot-info table and
 * GRUB's boot info; EFI), and an optional hybrid MBR/GPT system area, so that the same file boots
 * as a CD and as a disk.
 *
 * <p>Layout, in 2048-byte blocks: the 32 KiB system area (MBR, GPT header and entries); volume
 * descriptors from block 16 (primary, the El Torito boot record at 17 as El Torito requires,
 * Joliet's); the boot catalog; both path tables of each tree; the directories (breadth first),
 * then Joliet's, which point at the same file data; the Rock Ridge continuation areas; file data
 * (the BIOS boot image first, the EFI image last so that its extent can be the ESP partition of
 * the GPT); the backup GPT. Every time is the source date, every entry is sorted, so the output
 * is a function of the inputs.
 */
public final class IsoWriter {
  static final int BLOCK = 2048;
  private static final int SYSTEM_AREA_BLOCKS = 16;
  private static final int GPT_TAIL_BLOCKS = 9;
  /** Joliet's limit on a name, in UCS-2 characters (the version suffix of files not counted). */
  private static final int JOLIET_NAME_MAX = 64;
  private static final String ER_ID = "RRIP_1991A";
  private static final String ER_DESCRIPTOR = "THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS";
  private static final String ER_SOURCE = "PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.";

  /** The content of a file: its size up front, its bytes on demand. */
  public interface Content extends ContentSource {
    long size();
  }

  /** What and how to boot. {@code biosImage}/{@code efiImage} are paths in the tree, or null. */
  public record Boot(ImagePath biosImage, byte[] hybridMbr, ImagePath efiImage, boolean hybrid) {}

  /** One file, directory or symlink of the tree. */
  static final class Node {
    final String name;
    final Node parent;
    final boolean dir;
    final Content content;
    final IsoImage.ContentWriter inPlace;
    final String symlink;
    final int mode;
    final Map<String, Node> children = new TreeMap<>(ImagePath::compareNames);
    List<Node> sorted = List.of();
    String isoBase = "";
    String isoExt = "";
    long lba;
    long length;
    int number;
    long serial;
    // the Joliet tree: own names, order, numbers and directory extents; file data is shared
    String jolietName = "";
    List<Node> jolietSorted = List.of();
    int jolietNumber;
    long jolietLba;
    long jolietLength;

    Node(String name, Node parent, boolean dir, Content content, IsoImage.ContentWriter inPlace, String symlink, int mode) {
      this.name = name;
      this.parent = parent;
      this.dir = dir;
      this.content = content;
      this.inPlace = inPlace;
      this.symlink = symlink;
      this.mode = mode;
    }

    boolean isFile() {
      return content != null || inPlace != null;
    }

    int stMode() {
      return (dir ? 040000 : symlink != null ? 0120000 : 0100000) | mode;
    }

    String identifier() {
      return dir ? isoBase : isoBase + "." + isoExt + ";1";
    }

    byte[] jolietIdentifier() {
      return (dir ? jolietName : jolietName + ";1").getBytes(StandardCharsets.UTF_16BE);
    }
  }

  private final Node root = new Node("", null, true, null, null, null, 0755);
  private final String volumeId;
  private final Instant time;
  private final Boot boot;

  public IsoWriter(String volumeId, Instant time, Boot boot) {
    this.volumeId = volumeId;
    this.time = time;
    this.boot = boot;
  }

  /** Adds a regular file (and its missing parent directories) with the given permission bits. */
  public void addFile(ImagePath path, Content content, int mode) {
    add(path, new Node(path.fileName(), directory(path.parent()), false, content, null, null, mode));
  }

  /**
   * Adds a regular file made in place when the image is written: a squashfs of a whole rootfs is
   * hundreds of MiB, and made in place it is written once instead of being written, read back and
   * written again.
   */
  public void addFile(ImagePath path, IsoImage.ContentWriter content, int mode) {
    add(path, new Node(path.fileName(), directory(path.parent()), false, null, content, null, mode));
  }

  private static void add(ImagePath path, Node node) {
    if (node.parent.children.putIfAbsent(node.name, node) != null) {
      throw new IllegalArgumentException("ISO tree already holds " + path);
    }
  }

  public void addSymlink(ImagePath path, String target) {
    add(path, new Node(path.fileName(), directory(path.parent()), false, null, null, target, 0777));
  }

  /** The directory at {@code path}, created with its parents if missing. */
  public Node directory(ImagePath path) {
    Node d = root;
    for (String name : path.names()) {
      Node c = d.children.get(name);
      if (c == null) {
        c = new Node(name, d, true, null, null, null, 0755);
        d.children.put(name, c);
      } else if (!c.dir) {
        throw new IllegalArgumentException("ISO tree holds a file where a directory is needed: " + path);
      }
      d = c;
    }
    return d;
  }

  private Node find(ImagePath path) {
    Node d = root;
    for (String name : path.names()) {
      d = d.children.get(name);
      if (d == null) {
        throw new IllegalArgumentException("boot image " + path + " is not in the ISO tree");
      }
    }
    if (d.dir || !d.isFile()) {
      throw new IllegalArgumentException("boot image " + path + " is not a regular file");
    }
    return d;
  }

  // ------------------------------------------------------------------ layout

  /**
   * The result of laying the tree out: where everything goes. Files made in place are written to
   * {@code ch} as they are placed, for only then is their size known; nothing placed before them
   * depends on it, and what comes after is placed once it is known.
   */
  private final class Layout {
    final List<Node> dirs = new ArrayList<>();
    final List<Node> jolietDirs = new ArrayList<>();
    final List<Node> files = new ArrayList<>();
    final Node bios = boot.biosImage() != null ? find(boot.biosImage()) : null;
    final Node efi = boot.efiImage() != null ? find(boot.efiImage()) : null;
    long catalogLba = -1;
    long pathTableLba;
    long pathTableSize;
    long pathTableBlocks;
    long jolietPathTableLba;
    long jolietPathTableSize;
    long jolietPathTableBlocks;
    long continuationLba;
    long totalBlocks;
    long isoEndBlock;
    int continuationBytes;

    Layout(SeekableByteChannel ch) throws IOException {
      Deque<Node> queue = new ArrayDeque<>(List.of(root));
      long serial = 1;
      while (!queue.isEmpty()) {
        Node d = queue.poll();
        d.number = dirs.size() + 1;
        d.serial = serial++;
        dirs.add(d);
        assignNames(d);
        for (Node c : d.sorted) {
          if (c.dir) {
            queue.add(c);
          } else {
            c.serial = serial++;
            if (c.isFile() && c != bios && c != efi) {
              files.add(c);
            }
          }
        }
      }
      // Joliet's tree is ordered by its own names, so it is walked again
      Deque<Node> jQueue = new ArrayDeque<>(List.of(root));
      while (!jQueue.isEmpty()) {
        Node d = jQueue.poll();
        d.jolietNumber = jolietDirs.size() + 1;
        jolietDirs.add(d);
        assignJolietNames(d);
        d.jolietSorted.stream().filter(c -> c.dir).forEach(jQueue::add);
      }
      // primary, boot record, Joliet, terminator
      long next = SYSTEM_AREA_BLOCKS + 1 + (bios != null || efi != null ? 1 : 0) + 1 + 1;
      if (bios != null || efi != null) {
        catalogLba = next++;
      }
      pathTableSize = pathTable(dirs, true, false).length;
      pathTableBlocks = blocks(pathTableSize);
      pathTableLba = next;
      next += 2 * pathTableBlocks;
      jolietPathTableSize = pathTable(jolietDirs, true, true).length;
      jolietPathTableBlocks = blocks(jolietPathTableSize);
      jolietPathTableLba = next;
      next += 2 * jolietPathTableBlocks;
      // directory sizes do not depend on where things are, so one sizing pass places them
      Continuations sizing = new Continuations(0);
      for (Node d : dirs) {
        d.length = directoryExtent(d, sizing).length;
        d.lba = next;
        next += d.length / BLOCK;
      }
      for (Node d : jolietDirs) {
        d.jolietLength = jolietExtent(d).length;
        d.jolietLba = next;
        next += d.jolietLength / BLOCK;
      }
      continuationBytes = sizing.used();
      continuationLba = next;
      next += blocks(continuationBytes);
      if (bios != null) {
        if (bios.content == null) {
          throw new IllegalArgumentException("BIOS boot image " + path(bios) + " is patched, so it cannot be made in place");
        }
        next = place(bios, next, ch);
      }
      for (Node f : files) {
        next = place(f, next, ch);
      }
      if (efi != null) {
        next = place(efi, next, ch);
      }
      isoEndBlock = next;
      totalBlocks = next + (boot.hybrid() ? GPT_TAIL_BLOCKS : 0);
      if (totalBlocks > 0xFFFF_FFFFL) {
        throw new KairosException("ISO image of " + totalBlocks + " blocks exceeds the ISO 9660 limit");
      }
    }

    private long place(Node f, long next, SeekableByteChannel ch) throws IOException {
      if (f.inPlace != null) {
        // bounded at the largest size a single extent can record
        try (WindowChannel w = new WindowChannel(ch, next * BLOCK, 0xFFFF_FFFFL, "ISO 9660 file " + path(f)
            + " (files of 4 GiB and more are not supported)")) {
          f.inPlace.writeTo(w);
          f.length = w.written();
        }
      } else {
        f.length = f.content.size();
      }
      if (f.length > 0xFFFF_FFFFL) {
        throw new KairosException("ISO 9660 file " + path(f) + " is " + f.length
            + " bytes; files of 4 GiB and more are not supported");
      }
      f.lba = f.length == 0 ? 0 : next;
      return next + blocks(f.length);
    }
  }

  private static long blocks(long bytes) {
    return (bytes + BLOCK - 1) / BLOCK;
  }

  private static String path(Node n) {
    return n.parent == null ? "/" : (n.parent.parent == null ? "" : path(n.parent)) + "/" + n.name;
  }

  /** Gives the children of {@code d} unique ISO 9660 level-2 names and sorts them by those names. */
  private static void assignNames(Node d) {
    Set<String> taken = new HashSet<>();
    List<Node> kids = new ArrayList<>(d.children.values());
    for (Node c : kids) {
      String base;
      String ext = "";
      if (c.dir) {
        base = dChars(c.name, 31);
      } else {
        int dot = c.name.lastIndexOf('.');
        String b = dot >= 0 ? c.name.substring(0, dot) : c.name;
        ext = dot >= 0 ? dChars(c.name.substring(dot + 1), 8) : "";
        base = dChars(b, 30 - ext.length());
      }
      String unique = base;
      for (int i = 1; !taken.add(unique + "." + ext); i++) {
        String suffix = "~" + i;
        int keep = Math.max(0, Math.min(base.length(), (c.dir ? 31 : 30 - ext.length()) - suffix.length()));
        unique = base.substring(0, keep) + suffix;
      }
      c.isoBase = unique;
      c.isoExt = ext;
    }
    kids.sort(Comparator.comparing((Node n) -> n.isoBase).thenComparing(n -> n.isoExt));
    d.sorted = kids;
  }

  private static String dChars(String s, int max) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toUpperCase(Locale.ROOT).toCharArray()) {
      b.append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
      if (b.length() == max) {
        break;
      }
    }
    return b.toString();
  }

  /**
   * Gives the children of {@code d} that Joliet can hold (not symlinks) unique names: the name
   * with the characters Joliet forbids replaced, cut to 64 characters, and sorts them by those.
   */
  private static void assignJolietNames(Node d) {
    Set<String> taken = new HashSet<>();
    List<Node> kids = new ArrayList<>();
    for (Node c : d.children.values()) {
      if (c.symlink != null) {
        continue;
      }
      StringBuilder b = new StringBuilder();
      c.name.codePoints().forEach(cp -> b.append(cp < 0x20 || cp > 0xFFFF || "*/:;?\\".indexOf(cp) >= 0 ? '_' : (char) cp));
      String name = b.length() > JOLIET_NAME_MAX ? b.substring(0, JOLIET_NAME_MAX) : b.toString();
      String unique = name;
      for (int i = 1; !taken.add(unique); i++) {
        String suffix = "~" + i;
        unique = name.substring(0, Math.min(name.length(), JOLIET_NAME_MAX - suffix.length())) + suffix;
      }
      c.jolietName = unique;
      kids.add(c);
    }
    kids.sort(Comparator.comparing((Node n) -> n.jolietName));
    d.jolietSorted = kids;
  }

  // ------------------------------------------------------------------ Rock Ridge

  /** Allocates continuation areas; an area never crosses a block boundary. */
  private static final class Continuations {
    private final long baseLba;
    private final List<Object[]> pending = new ArrayList<>();
    private int used;

    Continuations(long baseLba) {
      this.baseLba = baseLba;
    }

    long[] allocate(int len) {
      if (used % BLOCK + len > BLOCK) {
        used = (used / BLOCK + 1) * BLOCK;
      }
      long[] at = {baseLba + used / BLOCK, used % BLOCK};
      used += len;
      return at;
    }

    int used() {
      return used;
    }
  }

  /** The Rock Ridge entries of a record for {@code n}; {@code name} is null for "." and "..". */
  private List<byte[]> rockRidge(Node n, String name, boolean rootDot) {
    List<byte[]> e = new ArrayList<>();
    if (rootDot) {
      e.add(new byte[] {'S', 'P', 7, 1, (byte) 0xBE, (byte) 0xEF, 0});
    }
    int links = n.dir ? 2 + (int) n.children.values().stream().filter(c -> c.dir).count() : 1;
    ByteBuffer px = susp("PX", 44);
    both32(px, n.stMode());
    both32(px, links);
    both32(px, 0);
    both32(px, 0);
    both32(px, (int) n.serial);
    e.add(px.array());
    ByteBuffer tf = susp("TF", 5 + 3 * 7);
    tf.put((byte) 0x0E);
    for (int i = 0; i < 3; i++) {
      tf.put(shortDate());
    }
    e.add(tf.array());
    if (name != null) {
      byte[] nm = name.getBytes(StandardCharsets.UTF_8);
      for (int off = 0; off < nm.length || off == 0; off += 250) {
        int len = Math.min(250, nm.length - off);
        ByteBuffer b = susp("NM", 5 + len);
        b.put((byte) (off + len < nm.length ? 1 : 0)).put(nm, off, len);
        e.add(b.array());
        if (nm.length == 0) {
          break;
        }
      }
    }
    if (name != null && n.symlink != null) {
      e.addAll(symlinkEntries(n.symlink));
    }
    if (rootDot) {
      byte[] id = ER_ID.getBytes(StandardCharsets.US_ASCII);
      byte[] des = ER_DESCRIPTOR.getBytes(StandardCharsets.US_ASCII);
      byte[] src = ER_SOURCE.getBytes(StandardCharsets.US_ASCII);
      ByteBuffer er = susp("ER", 8 + id.length + des.length + src.length);
      er.put((byte) id.length).put((byte) des.length).put((byte) src.length).put((byte) 1).put(id).put(des).put(src);
      e.add(er.array());
    }
    return e;
  }

  /** SL entries: one component record per path component, split over entries of at most 255 bytes. */
  private static List<byte[]> symlinkEntries(String target) {
    List<byte[]> comps = new ArrayList<>();
    if (target.startsWith("/")) {
      comps.add(new byte[] {0x08, 0});
    }
    for (String part : target.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      if (part.equals(".")) {
        comps.add(new byte[] {0x02, 0});
      } else if (part.equals("..")) {
        comps.add(new byte[] {0x04, 0});
      } else {
        byte[] p = part.getBytes(StandardCharsets.UTF_8);
        for (int off = 0; off < p.length; off += 248) {
          int len = Math.min(248, p.length - off);
          byte[] c = new byte[2 + len];
          c[0] = (byte) (off + len < p.length ? 0x01 : 0);
          c[1] = (byte) len;
          System.arraycopy(p, off, c, 2, len);
          comps.add(c);
        }
      }
    }
    List<byte[]> out = new ArrayList<>();
    int i = 0;
    while (i < comps.size()) {
      int len = 0;
      int j = i;
      while (j < comps.size() && 5 + len + comps.get(j).length <= 255) {
        len += comps.get(j++).length;
      }
      ByteBuffer b = susp("SL", 5 + len);
      b.put((byte) (j < comps.size() ? 1 : 0));
      for (int k = i; k < j; k++) {
        b.put(comps.get(k));
      }
      out.add(b.array());
      i = j;
    }
    return out;
  }

  private static ByteBuffer susp(String sig, int len) {
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) sig.charAt(0)).put((byte) sig.charAt(1)).put((byte) len).put((byte) 1);
    return b;
  }

  // ------------------------------------------------------------------ records

  private byte[] directoryExtent(Node d, Continuations ce) {
    List<byte[]> records = new ArrayList<>();
    records.add(record(d, new byte[] {0}, rockRidge(d, null, d == root), ce));
    Node parent = d.parent == null ? d : d.parent;
    records.add(record(parent, new byte[] {1}, rockRidge(parent, null, false), ce));
    for (Node c : d.sorted) {
      records.add(record(c, c.identifier().getBytes(StandardCharsets.US_ASCII), rockRidge(c, c.name, false), ce));
    }
    return extent(records);
  }

  /** The Joliet directory {@code d}: plain records with UCS-2 names, pointing at the Joliet directories. */
  private byte[] jolietExtent(Node d) {
    List<byte[]> records = new ArrayList<>();
    Node parent = d.parent == null ? d : d.parent;
    records.add(recordBytes(d.jolietLba, d.jolietLength, true, new byte[] {0}, List.of()));
    records.add(recordBytes(parent.jolietLba, parent.jolietLength, true, new byte[] {1}, List.of()));
    for (Node c : d.jolietSorted) {
      records.add(c.dir
          ? recordBytes(c.jolietLba, c.jolietLength, true, c.jolietIdentifier(), List.of())
          : recordBytes(c.lba, c.length, false, c.jolietIdentifier(), List.of()));
    }
    return extent(records);
  }

  /** Packs directory records into whole blocks; a record never crosses a block boundary. */
  private static byte[] extent(List<byte[]> records) {
    ByteBuffer out = ByteBuffer.allocate((int) (blocks(records.stream().mapToInt(r -> r.length + BLOCK).sum()) * BLOCK));
    for (byte[] r : records) {
      if (out.position() % BLOCK + r.length > BLOCK) {
        out.position((out.position() / BLOCK + 1) * BLOCK);
      }
      out.put(r);
    }
    int used = (int) (blocks(out.position()) * BLOCK);
    byte[] extent = new byte[used];
    System.arraycopy(out.array(), 0, extent, 0, used);
    return extent;
  }

  /** One directory record; Rock Ridge entries that do not fit go to a continuation area. */
  private byte[] record(Node n, byte[] id, List<byte[]> rr, Continuations ce) {
    int fixed = 33 + id.length + (id.length % 2 == 0 ? 1 : 0);
    int room = 254 - fixed;
    int total = rr.stream().mapToInt(e -> e.length).sum();
    List<byte[]> inline = rr;
    byte[] continuation = null;
    if (total > room) {
      inline = new ArrayList<>();
      int used = 0;
      int i = 0;
      while (i < rr.size() && used + rr.get(i).length + 28 <= room) {
        used += rr.get(i).length;
        inline.add(rr.get(i++));
      }
      int rest = total - used;
      ByteBuffer c = ByteBuffer.allocate(rest);
      for (; i < rr.size(); i++) {
        c.put(rr.get(i));
      }
      continuation = c.array();
      long[] at = ce.allocate(rest);
      ByteBuffer e = susp("CE", 28);
      both32(e, (int) at[0]);
      both32(e, (int) at[1]);
      both32(e, rest);
      inline.add(e.array());
      ce.pending.add(new Object[] {at, continuation});
    }
    return recordBytes(n.lba, n.dir ? n.length : n.symlink != null ? 0 : n.length, n.dir, id, inline);
  }

  /** A directory record with the system use entries {@code sua} (which must fit). */
  private byte[] recordBytes(long lba, long dataLength, boolean dir, byte[] id, List<byte[]> sua) {
    int len = 33 + id.length + (id.length % 2 == 0 ? 1 : 0) + sua.stream().mapToInt(e -> e.length).sum();
    len += len % 2;
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) len).put((byte) 0);
    both32(b, (int) lba);
    both32(b, (int) dataLength);
    b.put(shortDate());
    b.put((byte) (dir ? 2 : 0)).put((byte) 0).put((byte) 0);
    both16(b, 1);
    b.put((byte) id.length).put(id);
    if (id.length % 2 == 0) {
      b.put((byte) 0);
    }
    for (byte[] e : sua) {
      b.put(e);
    }
    return b.array();
  }

  private byte[] shortDate() {
    LocalDateTime t = LocalDateTime.ofInstant(time, ZoneOffset.UTC);
    return new byte[] {(byte) (t.getYear() - 1900), (byte) t.getMonthValue(), (byte) t.getDayOfMonth(),
        (byte) t.getHour(), (byte) t.getMinute(), (byte) t.getSecond(), 0};
  }

  private byte[] longDate() {
    LocalDateTime t = LocalDateTime.ofInstant(time, ZoneOffset.UTC);
    String s = String.format(Locale.ROOT, "%04d%02d%02d%02d%02d%02d00", t.getYear(), t.getMonthValue(),
        t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
    byte[] out = new byte[17];
    System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, out, 0, 16);
    return out;
  }

  private static byte[] unsetDate() {
    byte[] out = new byte[17];
    java.util.Arrays.fill(out, 0, 16, (byte) '0');
    return out;
  }

  private static void both32(ByteBuffer b, int v) {
    b.order(ByteOrder.LITTLE_ENDIAN).putInt(v).order(ByteOrder.BIG_ENDIAN).putInt(v).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void both16(ByteBuffer b, int v) {
    b.order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).order(ByteOrder.BIG_ENDIAN).putShort((short) v)
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  // ------------------------------------------------------------------ writing

  /** Writes the whole image from position 0 of {@code ch}. */
  public void write(SeekableByteChannel ch) throws IOException {
    Layout l = new Layout(ch);
    long next = SYSTEM_AREA_BLOCKS;
    put(ch, next++ * BLOCK, volumeDescriptor(l, false));
    if (l.catalogLba >= 0) {
      put(ch, next++ * BLOCK, bootRecord(l));
      put(ch, l.catalogLba * BLOCK, catalog(l));
    }
    put(ch, next++ * BLOCK, volumeDescriptor(l, true));
    ByteBuffer terminator = ByteBuffer.allocate(BLOCK);
    terminator.put((byte) 255).put("CD001".getBytes(StandardCharsets.US_ASCII)).put((byte) 1);
    put(ch, next * BLOCK, terminator.array());
    put(ch, l.pathTableLba * BLOCK, pathTable(l.dirs, true, false));
    put(ch, (l.pathTableLba + l.pathTableBlocks) * BLOCK, pathTable(l.dirs, false, false));
    put(ch, l.jolietPathTableLba * BLOCK, pathTable(l.jolietDirs, true, true));
    put(ch, (l.jolietPathTableLba + l.jolietPathTableBlocks) * BLOCK, pathTable(l.jolietDirs, false, true));
    Continuations ce = new Continuations(l.continuationLba);
    for (Node d : l.dirs) {
      put(ch, d.lba * BLOCK, directoryExtent(d, ce));
    }
    for (Node d : l.jolietDirs) {
      put(ch, d.jolietLba * BLOCK, jolietExtent(d));
    }
    for (Object[] p : ce.pending) {
      long[] at = (long[]) p[0];
      put(ch, at[0] * BLOCK + at[1], (byte[]) p[1]);
    }
    if (l.bios != null) {
      put(ch, l.bios.lba * BLOCK, patchedBiosImage(l.bios));
    }
    for (Node f : l.files) {
      copy(ch, f);
    }
    if (l.efi != null) {
      copy(ch, l.efi);
    }
    if (boot.hybrid()) {
      writeSystemArea(ch, l);
    } else {
      put(ch, l.totalBlocks * BLOCK - 1, new byte[1]);
    }
  }

  private static void put(SeekableByteChannel ch, long pos, byte[] data) throws IOException {
    ch.position(pos);
    ByteBuffer b = ByteBuffer.wrap(data);
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Copies a file's content to its extent; one made in place is there already. */
  private static void copy(SeekableByteChannel ch, Node f) throws IOException {
    if (f.length == 0 || f.inPlace != null) {
      return;
    }
    ch.position(f.lba * BLOCK);
    long n;
    OutputStream out = Channels.newOutputStream(ch);
    try (InputStream in = f.content.open()) {
      n = in.transferTo(out);
    }
    if (n != f.length) {
      throw new KairosException("ISO file " + path(f) + " changed while it was written: expected "
          + f.length + " bytes, read " + n);
    }
  }

  /**
   * The primary volume descriptor, or Joliet's supplementary one: the same fields with UCS-2
   * strings, the escape sequence of UCS-2 level 3 and Joliet's own path tables and root.
   */
  private byte[] volumeDescriptor(Layout l, boolean joliet) {
    ByteBuffer b = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) (joliet ? 2 : 1)).put("CD001".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.put(padded("LINUX", 32, joliet)).put(padded(volumeId, 32, joliet)).put(new byte[8]);
    both32(b, (int) l.totalBlocks);
    byte[] escapes = new byte[32];
    if (joliet) {
      escapes[0] = '%';
      escapes[1] = '/';
      escapes[2] = 'E';
    }
    b.put(escapes);
    both16(b, 1);
    both16(b, 1);
    both16(b, BLOCK);
    long tableLba = joliet ? l.jolietPathTableLba : l.pathTableLba;
    long tableBlocks = joliet ? l.jolietPathTableBlocks : l.pathTableBlocks;
    both32(b, (int) (joliet ? l.jolietPathTableSize : l.pathTableSize));
    b.order(ByteOrder.LITTLE_ENDIAN).putInt((int) tableLba).putInt(0);
    b.order(ByteOrder.BIG_ENDIAN).putInt((int) (tableLba + tableBlocks)).putInt(0);
    b.order(ByteOrder.LITTLE_ENDIAN);
    b.put(joliet
        ? recordBytes(root.jolietLba, root.jolietLength, true, new byte[] {0}, List.of())
        : record(root, new byte[] {0}, List.of(), new Continuations(0)));
    b.put(padded("", 128, joliet)).put(padded("", 128, joliet)).put(padded("", 128, joliet))
        .put(padded("KAIROS FACTORY", 128, joliet));
    b.put(padded("", 37, joliet)).put(padded("", 37, joliet)).put(padded("", 37, joliet));
    b.put(longDate()).put(longDate()).put(unsetDate()).put(unsetDate());
    b.put((byte) 1);
    return b.array();
  }

  /** {@code s} padded with spaces to {@code len} bytes, in ASCII or (Joliet) UCS-2 big-endian. */
  private static byte[] padded(String s, int len, boolean ucs2) {
    byte[] out = new byte[len];
    java.util.Arrays.fill(out, (byte) ' ');
    if (ucs2) {
      for (int i = 0; i + 1 < len; i += 2) {
        out[i] = 0;
      }
    }
    byte[] v = s.getBytes(ucs2 ? StandardCharsets.UTF_16BE : StandardCharsets.US_ASCII);
    System.arraycopy(v, 0, out, 0, Math.min(len / (ucs2 ? 2 : 1) * (ucs2 ? 2 : 1), v.length));
    return out;
  }

  private static byte[] bootRecord(Layout l) {
    ByteBuffer b = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0).put("CD001".getBytes(StandardCharsets.US_ASCII)).put((byte) 1);
    byte[] id = new byte[32];
    byte[] spec = "EL TORITO SPECIFICATION".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(spec, 0, id, 0, spec.length);
    b.put(id).put(new byte[32]).putInt((int) l.catalogLba);
    return b.array();
  }

  /** The boot catalog: validation entry, the first image as default entry, the EFI image in a section after a BIOS one. */
  private static byte[] catalog(Layout l) {
    ByteBuffer b = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 1).put((byte) (l.bios != null ? 0 : 0xEF)).putShort((short) 0).put(new byte[24]);
    b.putShort((short) 0).put((byte) 0x55).put((byte) 0xAA);
    int sum = 0;
    for (int i = 0; i < 32; i += 2) {
      sum += b.getShort(i) & 0xFFFF;
    }
    b.putShort(28, (short) -sum);
    if (l.bios != null) {
      entry(b, l.bios, 4);
      if (l.efi != null) {
        b.put((byte) 0x91).put((byte) 0xEF).putShort((short) 1).put(new byte[28]);
        entry(b, l.efi, efiSectors(l.efi));
      }
    } else {
      entry(b, l.efi, efiSectors(l.efi));
    }
    return b.array();
  }

  private static int efiSectors(Node efi) {
    return (int) Math.min(0xFFFF, (efi.length + 511) / 512);
  }

  private static void entry(ByteBuffer b, Node image, int sectors) {
    b.put((byte) 0x88).put((byte) 0).putShort((short) 0).put((byte) 0).put((byte) 0);
    b.putShort((short) sectors).putInt((int) image.lba).put(new byte[20]);
  }

  /** A path table of the primary tree or of Joliet's; {@code dirs} in breadth-first order. */
  private byte[] pathTable(List<Node> dirs, boolean little, boolean joliet) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Node d : dirs) {
      byte[] id = d == root ? new byte[] {0} : joliet ? d.jolietIdentifier() : d.isoBase.getBytes(StandardCharsets.US_ASCII);
      Node parent = d.parent == null ? d : d.parent;
      ByteBuffer r = ByteBuffer.allocate(8 + id.length + id.length % 2)
          .order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
      r.put((byte) id.length).put((byte) 0).putInt((int) (joliet ? d.jolietLba : d.lba))
          .putShort((short) (joliet ? parent.jolietNumber : parent.number)).put(id);
      out.writeBytes(r.array());
    }
    return out.toByteArray();
  }

  /** The BIOS image with its boot-info table (and GRUB's own boot info) filled in, as xorriso does. */
  private byte[] patchedBiosImage(Node bios) throws IOException {
    if (bios.length > 32L << 20) {
      throw new KairosException("BIOS boot image " + path(bios) + " is " + bios.length + " bytes; at most 32 MiB");
    }
    byte[] img;
    try (InputStream in = bios.content.open()) {
      img = in.readAllBytes();
    }
    if (img.length < 64) {
      throw new KairosException("BIOS boot image " + path(bios) + " is too small for a boot-info table");
    }
    ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
    if (boot.hybridMbr() != null && img.length >= 2556) {
      b.putLong(2548, bios.lba * 4 + 5);
    }
    int sum = 0;
    for (int i = 64; i < img.length; i += 4) {
      for (int k = 0; k < 4 && i + k < img.length; k++) {
        sum += (img[i + k] & 0xFF) << (8 * k);
      }
    }
    b.putInt(8, SYSTEM_AREA_BLOCKS).putInt(12, (int) bios.lba).putInt(16, img.length).putInt(20, sum);
    for (int i = 24; i < 64; i++) {
      img[i] = 0;
    }
    return img;
  }

  /**
   * MBR and GPT: the hybrid MBR code (GRUB's {@code boot_hybrid.img}, told where the BIOS image's
   * core starts), a protective entry plus a bootable dummy entry for firmware that looks for one,
   * partition 1 over the ISO data and partition 2, an ESP, over the EFI image.
   */
  private void writeSystemArea(SeekableByteChannel ch, Layout l) throws IOException {
    long sectors = l.totalBlocks * (BLOCK / 512);
    long dataEnd = (l.efi != null ? l.efi.lba : l.isoEndBlock) * (BLOCK / 512);
    GptDisk.Builder g = GptDisk.builder().seed("kairos-iso:" + volumeId + ":" + sectors).size(sectors * 512)
        .alignment(512)
        .add(GptDisk.partition("ISO9660").type(GptType.BASIC_DATA).startLba(64).size((dataEnd - 64) * 512)
            .attributes(0x1000_0000_0000_0001L));
    if (l.efi != null) {
      g.add(GptDisk.partition("EFI").type(GptType.ESP).startLba(l.efi.lba * (BLOCK / 512))
          .size((l.efi.length + 511) / 512 * 512));
    }
    if (boot.hybridMbr() != null) {
      byte[] code = java.util.Arrays.copyOf(boot.hybridMbr(), 440);
      if (l.bios != null) {
        ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN).putLong(0x1B0, l.bios.lba * 4 + 4);
      }
      g.bootCode(code);
    }
    g.build().writeTablesTo(ch);
    ByteBuffer dummy = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    dummy.put((byte) 0x80).put(new byte[3]).put((byte) 0).put(new byte[3]).putInt(0).putInt(1);
    put(ch, 446 + 16, dummy.array());
  }
}
