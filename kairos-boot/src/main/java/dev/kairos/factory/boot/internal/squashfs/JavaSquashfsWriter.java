package dev.kairos.factory.boot.internal.squashfs;

import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import dev.kairos.factory.boot.api.squashfs.SquashfsWriter;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.FsEntry;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
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

/**
 * A squashfs 4.0 writer in Java. File contents are streamed into the data area as the rootfs is
 * walked (block by block; tail ends packed into shared fragment blocks); only the tree of names and
 * metadata is held in memory. The inode and directory tables are then written children first, so
 * that every directory can point at its entries, followed by the fragment and id tables and the
 * superblock. The output is a pure function of the tree, its metadata and the options.
 *
 * <p>Not written: the NFS export table and extended attributes (the superblock says so with its
 * flags); duplicate files are stored twice.
 */
public final class JavaSquashfsWriter implements SquashfsWriter {
  private static final int MAGIC = 0x73717368;
  private static final int SUPERBLOCK_SIZE = 96;
  private static final int FLAG_NO_XATTRS = 0x0200;
  private static final int NO_FRAGMENT = 0xFFFFFFFF;
  private static final int UNCOMPRESSED_DATA = 1 << 24;
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
      new Run(ch).write(root);
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
  private final class Run {
    private final SeekableByteChannel ch;
    private final BlockCompressor compressor = BlockCompressor.of(options);
    private final int blockSize = options.blockSize();
    private final byte[] block = new byte[blockSize];
    private final byte[] fragmentBuffer = new byte[blockSize];
    private int fragmentFill;
    private final List<long[]> fragments = new ArrayList<>();
    private final Map<Integer, Integer> ids = new LinkedHashMap<>();
    private final MetadataWriter inodes;
    private final MetadataWriter dirs;
    private long pos = SUPERBLOCK_SIZE;
    private int nextInode = 1;

    Run(SeekableByteChannel ch) {
      this.ch = ch;
      this.inodes = new MetadataWriter(compressor);
      this.dirs = new MetadataWriter(compressor);
    }

    void write(RootFs rootFs) throws IOException {
      ch.position(pos);
      Node root = readTree(rootFs);
      flushFragment();
      number(root);
      int inodeCount = nextInode - 1;
      writeDirectory(root, inodeCount + 1);

      long inodeTableStart = pos;
      writeFully(inodes.finish());
      long directoryTableStart = pos;
      writeFully(dirs.finish());
      long fragmentTableStart = writeFragmentTable();
      long idTableStart = writeIdTable();
      long bytesUsed = pos;
      long padded = (bytesUsed + PAD - 1) / PAD * PAD;
      if (padded > bytesUsed) {
        writeFully(new byte[(int) (padded - bytesUsed)]);
      }

      ByteBuffer sb = ByteBuffer.allocate(SUPERBLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      sb.putInt(MAGIC).putInt(inodeCount).putInt(seconds(options.sourceDate().instant()))
          .putInt(blockSize).putInt(fragments.size())
          .putShort((short) options.compression().id()).putShort((short) options.blockLog())
          .putShort((short) FLAG_NO_XATTRS).putShort((short) ids.size())
          .putShort((short) 4).putShort((short) 0)
          .putLong(root.inodeRef).putLong(bytesUsed).putLong(idTableStart).putLong(NOT_PRESENT)
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
            writeContent(entry, node);
          }
          default -> { }
        }
      });
      return root[0];
    }

    private void writeContent(FsEntry entry, Node node) throws IOException {
      List<Integer> sizes = new ArrayList<>();
      node.blocksStart = pos;
      long total = 0;
      try (InputStream in = entry.openContent()) {
        while (true) {
          int n = in.readNBytes(block, 0, blockSize);
          if (n == 0) {
            break;
          }
          total += n;
          if (n == blockSize) {
            sizes.add(writeBlock(block, n));
          } else {
            addFragment(node, n);
            break;
          }
        }
      }
      node.size = total;
      node.blockSizes = sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Writes one data block at the current position and returns its size word. */
    private int writeBlock(byte[] data, int len) throws IOException {
      byte[] c = compressor.compress(data, len);
      if (c == null) {
        writeFully(data, len);
        return len | UNCOMPRESSED_DATA;
      }
      writeFully(c, c.length);
      return c.length;
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
      long start = pos;
      int size = writeBlock(fragmentBuffer, fragmentFill);
      fragments.add(new long[] {start, size});
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
      ByteBuffer b;
      switch (m.type()) {
        case DIRECTORY -> {
          int subdirs = (int) n.children.stream().filter(Node::isDir).count();
          if (n.size <= 0xFFFF) {
            b = header(n, 1, 16).putInt((int) n.blocksStart).putInt(2 + subdirs)
                .putShort((short) n.size).putShort((short) n.fragmentOffset).putInt(parentInode);
          } else {
            b = header(n, 8, 24).putInt(2 + subdirs).putInt((int) n.size).putInt((int) n.blocksStart)
                .putInt(parentInode).putShort((short) 0).putShort((short) n.fragmentOffset).putInt(NO_FRAGMENT);
          }
        }
        case REGULAR -> {
          int nb = n.blockSizes.length;
          if (n.links == 1 && n.blocksStart <= 0xFFFFFFFFL && n.size <= 0xFFFFFFFFL) {
            b = header(n, 2, 16 + 4 * nb).putInt((int) n.blocksStart).putInt(n.fragment)
                .putInt(n.fragmentOffset).putInt((int) n.size);
          } else {
            b = header(n, 9, 40 + 4 * nb).putLong(n.blocksStart).putLong(n.size).putLong(0)
                .putInt(n.links).putInt(n.fragment).putInt(n.fragmentOffset).putInt(NO_FRAGMENT);
          }
          for (int s : n.blockSizes) {
            b.putInt(s);
          }
        }
        case SYMLINK -> {
          byte[] target = n.symlinkTarget.getBytes(StandardCharsets.UTF_8);
          b = header(n, 3, 8 + target.length).putInt(n.links).putInt(target.length).put(target);
        }
        case BLOCK_DEVICE, CHAR_DEVICE -> {
          int major = m.deviceMajor();
          int minor = m.deviceMinor();
          int dev = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
          b = header(n, basicType(m.type()), 8).putInt(n.links).putInt(dev);
        }
        default -> b = header(n, basicType(m.type()), 4).putInt(n.links);
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

    // ------------------------------------------------------------ tables

    private long writeFragmentTable() throws IOException {
      MetadataWriter w = new MetadataWriter(compressor);
      for (long[] f : fragments) {
        w.write(le(16).putLong(f[0]).putInt((int) f[1]).putInt(0).array());
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
