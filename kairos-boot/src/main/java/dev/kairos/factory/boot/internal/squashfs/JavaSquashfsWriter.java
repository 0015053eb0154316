package dev.kairos.factory.boot.internal.squashfs;

import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import dev.kairos.factory.boot.api.squashfs.SquashfsWriter;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.FsEntry;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/**
 * A squashfs 4.0 writer in Java. File contents are streamed into the data area as the rootfs is
 * walked (block by block; tail ends packed into shared fragment blocks); only the tree of names and
 * metadata is held in memory. The inode and directory tables are then written children first, so
 * that every directory can point at its entries, followed by the fragment and id tables and the
 * superblock. The output is a pure function of the tree, its metadata and the options.
 *
 * <p>Extended attributes of the {@code user.}, {@code trusted.} and {@code security.} namespaces
 * (file capabilities among them) go to the xattr tables at the end of the image: each distinct
 * set is stored once and inodes that carry one take their extended form, which holds the set's
 * index. Other namespaces cannot be expressed in squashfs and are left out, as {@code mksquashfs}
 * does. A tree without extended attributes gets no xattr table.
 *
 * <p>Not written: the NFS export table (the superblock says so); duplicate files are stored twice.
 */
public final class JavaSquashfsWriter implements SquashfsWriter {
  private static final int MAGIC = 0x73717368;
  private static final int SUPERBLOCK_SIZE = 96;
  private static final int FLAG_NO_XATTRS = 0x0200;
  private static final int NO_FRAGMENT = 0xFFFFFFFF;
  private static final int NO_XATTR = 0xFFFFFFFF;
  /** The name prefixes squashfs stores as a type number (0, 1, 2) instead of text. */
  private static final List<String> XATTR_PREFIXES = List.of("user.", "trusted.", "security.");
  private static final long NOT_PRESENT = 0xFFFFFFFFFFFFFFFFL;
  private static final int PAD = 4096;

  private final SquashfsOptions options;

  public JavaSquashfsWriter(SquashfsOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public SquashfsOptions options() {
    return options;
  }

  @Override
  public void write(RootFs root, Path output) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(output, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      write(root, ch);
    }
  }

  /**
   * Writes the image from position 0 of {@code ch} (e.g. a window on its place in an ISO, so that
   * it is not copied there afterwards), the same bytes as {@link #write(RootFs, Path)}; the image
   * ends where the last write ends.
   */
  public void write(RootFs root, SeekableByteChannel ch) throws IOException {
    try (Run run = new Run(ch)) {
      run.write(root);
    }
  }

  /** One node of the tree kept in memory: the name, metadata and where the content went. */
  private static final class Node {
    final String name;
    final FileMetadata meta;
    final List<Node> children = new ArrayList<>();
    final Node primary;
    String symlinkTarget;
    long blocksStart;
    int[] blockSizes = new int[0];
    /** For a regular file: the number of its first data block in the write order, and how many it has. */
    int firstBlock;
    int blockCount;
    int fragment = NO_FRAGMENT;
    int fragmentOffset;
    long size;
    int links = 1;
    int inodeNumber;
    long inodeRef = -1;

    Node(String name, FileMetadata meta, Node primary) {
      this.name = name;
      this.meta = meta;
      this.primary = primary;
    }

    Node target() {
      return primary != null ? primary : this;
    }

    boolean isDir() {
      return meta.type() == FileType.DIRECTORY;
    }
  }

  /** The state of one write. */
  private final class Run implements AutoCloseable {
    private final SeekableByteChannel ch;
    private final BlockCompressor compressor = BlockCompressor.of(options);
    private final int blockSize = options.blockSize();
    private final byte[] block = new byte[blockSize];
    private final byte[] fragmentBuffer = new byte[blockSize];
    private int fragmentFill;
    /** The data block number of each fragment block, in fragment-table order. */
    private final List<Integer> fragments = new ArrayList<>();
    private final List<Node> files = new ArrayList<>();
    private final DataBlockWriter data;
    private final Map<Integer, Integer> ids = new LinkedHashMap<>();
    /** Each distinct xattr set, as its key/value bytes, with its index in the xattr id table. */
    private final Map<ByteBuffer, Integer> xattrSets = new LinkedHashMap<>();
    private final MetadataWriter inodes;
    private final MetadataWriter dirs;
    private long pos = SUPERBLOCK_SIZE;
    private int nextInode = 1;

    Run(SeekableByteChannel ch) {
      this.ch = ch;
      // Compression is the cost of a squashfs; the writes stay in order, so any thread count gives the same bytes.
      this.data = new DataBlockWriter(options, this::append, Runtime.getRuntime().availableProcessors(), pos);
      this.inodes = new MetadataWriter(compressor);
      this.dirs = new MetadataWriter(compressor);
    }

    void write(RootFs rootFs) throws IOException {
      ch.position(pos);
      Node root = readTree(rootFs);
      flushFragment();
      data.finish();
      for (Node f : files) {
        f.blocksStart = data.start(f.firstBlock);
        f.blockSizes = new int[f.blockCount];
        for (int i = 0; i < f.blockCount; i++) {
          f.blockSizes[i] = data.sizeWord(f.firstBlock + i);
        }
      }
      number(root);
      int inodeCount = nextInode - 1;
      writeDirectory(root, inodeCount + 1);

      long inodeTableStart = pos;
      writeFully(inodes.finish());
      long directoryTableStart = pos;
      writeFully(dirs.finish());
      long fragmentTableStart = writeFragmentTable();
      long idTableStart = writeIdTable();
      // The kernel wants the xattr id table's index to end the image (it checks against bytes_used).
      long xattrIdTableStart = xattrSets.isEmpty() ? NOT_PRESENT : writeXattrTables();
      long bytesUsed = pos;
      long padded = (bytesUsed + PAD - 1) / PAD * PAD;
      if (padded > bytesUsed) {
        writeFully(new byte[(int) (padded - bytesUsed)]);
      }

      ByteBuffer sb = ByteBuffer.allocate(SUPERBLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      sb.putInt(MAGIC).putInt(inodeCount).putInt(seconds(options.sourceDate().instant()))
          .putInt(blockSize).putInt(fragments.size())
          .putShort((short) options.compression().id()).putShort((short) options.blockLog())
          .putShort((short) (xattrSets.isEmpty() ? FLAG_NO_XATTRS : 0)).putShort((short) ids.size())
          .putShort((short) 4).putShort((short) 0)
          .putLong(root.inodeRef).putLong(bytesUsed).putLong(idTableStart).putLong(xattrIdTableStart)
          .putLong(inodeTableStart).putLong(directoryTableStart).putLong(fragmentTableStart)
          .putLong(NOT_PRESENT);
      sb.flip();
      ch.position(0);
      while (sb.hasRemaining()) {
        ch.write(sb);
      }
    }

    // ------------------------------------------------------------ pass 1: data and tree

    private Node readTree(RootFs rootFs) throws IOException {
      Map<ImagePath, Node> dirsByPath = new HashMap<>();
      Map<ImagePath, Node> filesByPath = new HashMap<>();
      Node[] root = new Node[1];
      rootFs.walk(ImagePath.ROOT, entry -> {
        ImagePath path = entry.path();
        if (path.isRoot()) {
          root[0] = new Node("", entry.metadata(), null);
          dirsByPath.put(path, root[0]);
          return;
        }
        Node parent = dirsByPath.get(path.parent());
        Node primary = entry.hardlinkOf().map(filesByPath::get).orElse(null);
        Node node = new Node(path.fileName(), entry.metadata(), primary);
        parent.children.add(node);
        if (primary != null) {
          primary.links++;
          return;
        }
        switch (entry.type()) {
          case DIRECTORY -> dirsByPath.put(path, node);
          case SYMLINK -> node.symlinkTarget = entry.symlinkTarget().orElseThrow();
          case REGULAR -> {
            filesByPath.put(path, node);
            files.add(node);
            writeContent(entry, node);
          }
          default -> { }
        }
      });
      return root[0];
    }

    private void writeContent(FsEntry entry, Node node) throws IOException {
      node.firstBlock = data.submitted();
      long total = 0;
      try (InputStream in = entry.openContent()) {
        while (true) {
          int n = in.readNBytes(block, 0, blockSize);
          if (n == 0) {
            break;
          }
          total += n;
          if (n == blockSize) {
            data.submit(block, n);
            node.blockCount++;
          } else {
            addFragment(node, n);
            break;
          }
        }
      }
      node.size = total;
    }

    private void addFragment(Node node, int len) throws IOException {
      if (fragmentFill + len > blockSize) {
        flushFragment();
      }
      node.fragment = fragments.size();
      node.fragmentOffset = fragmentFill;
      System.arraycopy(block, 0, fragmentBuffer, fragmentFill, len);
      fragmentFill += len;
    }

    private void flushFragment() throws IOException {
      if (fragmentFill == 0) {
        return;
      }
      fragments.add(data.submitted());
      data.submit(fragmentBuffer, fragmentFill);
      fragmentFill = 0;
    }

    // ------------------------------------------------------------ pass 2: inodes and directories

    /** Gives inode numbers in the order {@link #writeDirectory} writes the inodes: children first, the root last. */
    private void number(Node dir) {
      for (Node c : dir.children) {
        if (c.isDir()) {
          number(c);
        }
      }
      for (Node c : dir.children) {
        Node t = c.target();
        if (!c.isDir() && t.inodeNumber == 0) {
          t.inodeNumber = nextInode++;
        }
      }
      dir.inodeNumber = nextInode++;
    }

    private void writeDirectory(Node dir, int parentInode) throws IOException {
      for (Node c : dir.children) {
        if (c.isDir()) {
          writeDirectory(c, dir.inodeNumber);
        }
      }
      for (Node c : dir.children) {
        Node t = c.target();
        if (!c.isDir() && t.inodeRef < 0) {
          writeInode(t, 0);
        }
      }
      int listingStart = dirs.blockStart();
      int listingOffset = dirs.offset();
      int listingSize = writeListing(dir);
      dir.size = listingSize + 3L;
      dir.blocksStart = listingStart;
      dir.fragmentOffset = listingOffset;
      writeInode(dir, parentInode);
    }

    /** Writes the directory's entries in runs that share an inode block and a base inode number; returns the bytes written. */
    private int writeListing(Node dir) {
      int written = 0;
      int i = 0;
      List<Node> cs = dir.children;
      while (i < cs.size()) {
        Node first = cs.get(i).target();
        long block = first.inodeRef >>> 16;
        int base = first.inodeNumber;
        int j = i;
        while (j < cs.size() && j - i < 256) {
          Node t = cs.get(j).target();
          int delta = t.inodeNumber - base;
          if ((t.inodeRef >>> 16) != block || delta < Short.MIN_VALUE || delta > Short.MAX_VALUE) {
            break;
          }
          j++;
        }
        ByteBuffer h = le(12).putInt(j - i - 1).putInt((int) block).putInt(base);
        dirs.write(h.array());
        written += 12;
        for (int k = i; k < j; k++) {
          Node c = cs.get(k);
          Node t = c.target();
          byte[] name = c.name.getBytes(StandardCharsets.UTF_8);
          ByteBuffer e = le(8 + name.length)
              .putShort((short) (t.inodeRef & 0xFFFF)).putShort((short) (t.inodeNumber - base))
              .putShort((short) basicType(t.meta.type())).putShort((short) (name.length - 1)).put(name);
          dirs.write(e.array());
          written += 8 + name.length;
        }
        i = j;
      }
      return written;
    }

    private void writeInode(Node n, int parentInode) throws KairosException {
      FileMetadata m = n.meta;
      n.inodeRef = inodes.reference();
      int xattr = xattrIndex(m);
      boolean plain = xattr == NO_XATTR;
      ByteBuffer b;
      switch (m.type()) {
        case DIRECTORY -> {
          int subdirs = (int) n.children.stream().filter(Node::isDir).count();
          if (plain && n.size <= 0xFFFF) {
            b = header(n, 1, 16).putInt((int) n.blocksStart).putInt(2 + subdirs)
                .putShort((short) n.size).putShort((short) n.fragmentOffset).putInt(parentInode);
          } else {
            b = header(n, 8, 24).putInt(2 + subdirs).putInt((int) n.size).putInt((int) n.blocksStart)
                .putInt(parentInode).putShort((short) 0).putShort((short) n.fragmentOffset).putInt(xattr);
          }
        }
        case REGULAR -> {
          int nb = n.blockSizes.length;
          if (plain && n.links == 1 && n.blocksStart <= 0xFFFFFFFFL && n.size <= 0xFFFFFFFFL) {
            b = header(n, 2, 16 + 4 * nb).putInt((int) n.blocksStart).putInt(n.fragment)
                .putInt(n.fragmentOffset).putInt((int) n.size);
          } else {
            b = header(n, 9, 40 + 4 * nb).putLong(n.blocksStart).putLong(n.size).putLong(0)
                .putInt(n.links).putInt(n.fragment).putInt(n.fragmentOffset).putInt(xattr);
          }
          for (int s : n.blockSizes) {
            b.putInt(s);
          }
        }
        case SYMLINK -> {
          byte[] target = n.symlinkTarget.getBytes(StandardCharsets.UTF_8);
          b = header(n, plain ? 3 : 10, 8 + target.length + (plain ? 0 : 4)).putInt(n.links).putInt(target.length).put(target);
          if (!plain) {
            b.putInt(xattr);
          }
        }
        case BLOCK_DEVICE, CHAR_DEVICE -> {
          int major = m.deviceMajor();
          int minor = m.deviceMinor();
          int dev = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
          b = plain ? header(n, basicType(m.type()), 8).putInt(n.links).putInt(dev)
              : header(n, basicType(m.type()) + 7, 12).putInt(n.links).putInt(dev).putInt(xattr);
        }
        default -> b = plain ? header(n, basicType(m.type()), 4).putInt(n.links)
            : header(n, basicType(m.type()) + 7, 8).putInt(n.links).putInt(xattr);
      }
      inodes.write(b.array());
    }

    private ByteBuffer header(Node n, int type, int extra) throws KairosException {
      FileMetadata m = n.meta;
      return le(16 + extra).putShort((short) type).putShort((short) m.mode())
          .putShort((short) id(m.uid())).putShort((short) id(m.gid()))
          .putInt(seconds(options.clamp(m.mtime()))).putInt(n.inodeNumber);
    }

    private int id(int value) throws KairosException {
      Integer idx = ids.get(value);
      if (idx == null) {
        if (ids.size() == 0xFFFF) {
          throw new KairosException("squashfs holds at most 65535 distinct owner ids");
        }
        idx = ids.size();
        ids.put(value, idx);
      }
      return idx;
    }

    /**
     * The index of the file's xattr set in the xattr id table, the set added if it is new, or
     * {@link #NO_XATTR}. A set is its entries in name order: a 16-bit prefix type, the 16-bit
     * length and the name without its prefix, then the 32-bit length and the value.
     */
    private int xattrIndex(FileMetadata m) {
      SortedMap<String, byte[]> all = m.xattrs();
      if (all.isEmpty()) {
        return NO_XATTR;
      }
      ByteArrayOutputStream kv = new ByteArrayOutputStream();
      int count = 0;
      for (Map.Entry<String, byte[]> x : all.entrySet()) {
        int type = prefixType(x.getKey());
        if (type < 0) {
          continue;
        }
        byte[] name = x.getKey().substring(XATTR_PREFIXES.get(type).length()).getBytes(StandardCharsets.UTF_8);
        byte[] value = x.getValue();
        kv.writeBytes(le(4 + name.length).putShort((short) type).putShort((short) name.length).put(name).array());
        kv.writeBytes(le(4 + value.length).putInt(value.length).put(value).array());
        count++;
      }
      if (count == 0) {
        return NO_XATTR;
      }
      // the count rides in front of the bytes so that it is part of the key
      ByteBuffer key = ByteBuffer.wrap(le(4 + kv.size()).putInt(count).put(kv.toByteArray()).array());
      return xattrSets.computeIfAbsent(key, k -> xattrSets.size());
    }

    // ------------------------------------------------------------ tables

    /**
     * Writes the key/value blocks of every xattr set, the id table (per set: its position in the
     * key/value blocks, its count and its size), the id table's header (where the key/value blocks
     * start, how many ids) and the positions of the id table's blocks; returns the header's position.
     */
    private long writeXattrTables() throws IOException {
      MetadataWriter kv = new MetadataWriter(compressor);
      MetadataWriter idw = new MetadataWriter(compressor);
      for (ByteBuffer set : xattrSets.keySet()) {
        byte[] b = set.array();
        int count = ByteBuffer.wrap(b, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        idw.write(le(16).putLong(kv.reference()).putInt(count).putInt(b.length - 4).array());
        kv.write(b, 4, b.length - 4);
      }
      long kvStart = pos;
      writeFully(kv.finish());
      long idStart = pos;
      writeFully(idw.finish());
      long headerStart = pos;
      ByteBuffer header = le(16 + 8 * idw.blockStarts().size()).putLong(kvStart).putInt(xattrSets.size()).putInt(0);
      for (int start : idw.blockStarts()) {
        header.putLong(idStart + start);
      }
      writeFully(header.array());
      return headerStart;
    }

    private long writeFragmentTable() throws IOException {
      MetadataWriter w = new MetadataWriter(compressor);
      for (int block : fragments) {
        w.write(le(16).putLong(data.start(block)).putInt(data.sizeWord(block)).putInt(0).array());
      }
      return writeIndexedTable(w);
    }

    private long writeIdTable() throws IOException {
      MetadataWriter w = new MetadataWriter(compressor);
      for (int id : ids.keySet()) {
        w.write(le(4).putInt(id).array());
      }
      return writeIndexedTable(w);
    }

    /** Writes the table's metadata blocks, then the list of their absolute positions; returns where that list starts. */
    private long writeIndexedTable(MetadataWriter w) throws IOException {
      byte[] table = w.finish();
      long start = pos;
      writeFully(table);
      ByteBuffer index = le(8 * w.blockStarts().size());
      for (int s : w.blockStarts()) {
        index.putLong(start + s);
      }
      long indexStart = pos;
      writeFully(index.array());
      return indexStart;
    }

    /** The data block sink: appends at the current position and returns it. */
    private long append(byte[] b, int len) throws IOException {
      long start = pos;
      writeFully(b, len);
      return start;
    }

    @Override
    public void close() {
      data.close();
    }

    private void writeFully(byte[] b) throws IOException {
      writeFully(b, b.length);
    }

    private void writeFully(byte[] b, int len) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(b, 0, len);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      pos += len;
    }
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** 0, 1 or 2 for the namespaces squashfs knows, else -1. */
  private static int prefixType(String name) {
    for (int i = 0; i < XATTR_PREFIXES.size(); i++) {
      if (name.startsWith(XATTR_PREFIXES.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static int basicType(FileType t) {
    return switch (t) {
      case DIRECTORY -> 1;
      case REGULAR -> 2;
      case SYMLINK -> 3;
      case BLOCK_DEVICE -> 4;
      case CHAR_DEVICE -> 5;
      case FIFO -> 6;
      case SOCKET -> 7;
    };
  }

  private static int seconds(Instant t) {
    long s = t.getEpochSecond();
    return (int) Math.max(0, Math.min(0xFFFFFFFFL, s));
  }
}
