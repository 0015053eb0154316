package dev.kairos.factory.core.api.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.UnsafePathException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link RootFs} must do, whatever its backing store: run by {@code RootFsJimfsTest}
 * (in memory, metadata overlay) and {@code RootFsDiskIT} (a real directory, as root, native
 * metadata). Next to the root lies a sentinel directory; after every test it must be exactly as
 * it was, and nothing may have appeared beside the two, so that a write that escapes the root is
 * caught wherever it lands.
 */
@Timeout(60)
abstract class RootFsContract {
  protected RootFs root;
  /** The directory that holds the root and the sentinel. */
  protected Path base;
  protected Path sentinel;
  private Map<String, String> sentinelBefore;

  /** A new, empty directory to hold the root and the sentinel. */
  protected abstract Path newBase() throws IOException;

  @BeforeEach
  void setUpRootAndSentinel() throws IOException {
    base = newBase();
    root = RootFs.at(Files.createDirectory(base.resolve("root")));
    sentinel = Files.createDirectory(base.resolve("sentinel"));
    Files.createDirectory(sentinel.resolve("etc"));
    Files.writeString(sentinel.resolve("etc/passwd"), "sentinel:x:0:0\n");
    Files.writeString(sentinel.resolve("keep"), "untouched\n");
    sentinelBefore = snapshot(sentinel);
  }

  /** Deletes what {@link #newBase()} made, after the checks of each test. */
  protected void deleteBase(Path base) throws IOException {}

  @AfterEach
  void sentinelIsUntouched() throws IOException {
    try {
      assertThat(snapshot(sentinel)).as("the sentinel next to the root").isEqualTo(sentinelBefore);
      try (Stream<Path> s = Files.list(base)) {
        assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
            .as("entries beside the root").containsExactly("root", "sentinel");
      }
    } finally {
      deleteBase(base);
    }
  }

  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String content = a.isRegularFile() ? Files.readString(p) : a.isDirectory() ? "dir" : "other";
        m.put(dir.relativize(p).toString(), content + "@" + a.lastModifiedTime());
      }
    }
    return m;
  }

  protected static ImagePath p(String s) {
    return ImagePath.of(s);
  }

  protected static FileMetadata.Builder meta(FileType t) {
    return FileMetadata.builder(t);
  }

  // ------------------------------------------------------------ operations

  @Test
  void writesAndReadsInEveryWay() throws Exception {
    root.writeString(p("/etc/hostname"), "kairos\n");
    root.write(p("/etc/bin"), new byte[] {0, (byte) 0xff});
    try (OutputStream out = root.newOutputStream(p("/var/log/big"))) {
      for (int i = 0; i < 1000; i++) {
        out.write("0123456789".getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThat(root.readString(p("/etc/hostname"))).isEqualTo("kairos\n");
    assertThat(root.readAllBytes(p("/etc/bin"))).containsExactly(0, 0xff);
    try (InputStream in = root.newInputStream(p("/var/log/big"))) {
      assertThat(in.readAllBytes()).hasSize(10_000);
    }
    assertThat(root.metadata(p("/var/log/big")).size()).isEqualTo(10_000);
    assertThat(root.exists(p("/etc/hostname"))).isTrue();
    assertThat(root.isRegularFile(p("/etc/hostname"))).isTrue();
    assertThat(root.isDirectory(p("/etc"))).isTrue();
    assertThat(root.isDirectory(p("/etc/hostname"))).isFalse();
    assertThat(root.exists(p("/etc/nope"))).isFalse();
    assertThat(root.stat(p("/etc/nope/deeper"))).isEmpty();
  }

  @Test
  void newFilesAndDirectoriesAreRootOwnedWithUsualModes() throws Exception {
    root.writeString(p("/a/b/c"), "x");
    assertThat(root.metadata(p("/a"))).extracting(FileMetadata::type, FileMetadata::mode, FileMetadata::uid, FileMetadata::gid)
        .containsExactly(FileType.DIRECTORY, 0755, 0, 0);
    assertThat(root.metadata(p("/a/b/c"))).extracting(FileMetadata::type, FileMetadata::mode, FileMetadata::uid, FileMetadata::gid)
        .containsExactly(FileType.REGULAR, 0644, 0, 0);
  }

  @Test
  void rewritingAFileKeepsItsMetadata() throws Exception {
    root.write(p("/usr/bin/tool"), new byte[] {1}, 04750);
    root.setOwner(p("/usr/bin/tool"), 0, 50);
    root.writeString(p("/usr/bin/tool"), "new content");
    FileMetadata m = root.metadata(p("/usr/bin/tool"));
    assertThat(m.mode()).isEqualTo(04750);
    assertThat(m.gid()).isEqualTo(50);
    assertThat(root.readString(p("/usr/bin/tool"))).isEqualTo("new content");
  }

  @Test
  void listsInByteOrder() throws Exception {
    for (String n : List.of("b", "B", "a", "ä", "Z", "a-b", "a.b", "_")) {
      root.writeString(p("/d").resolve(n), n);
    }
    assertThat(root.list(p("/d"))).containsExactly("B", "Z", "_", "a", "a-b", "a.b", "b", "ä");
    assertThatThrownBy(() -> root.list(p("/d/a"))).hasMessageContaining("/d/a");
  }

  @Test
  void createFileTakesContentAndMetadataAndNeedsItsParent() throws Exception {
    Instant t = Instant.ofEpochSecond(1_600_000_000L);
    root.createDirectory(p("/bin"), meta(FileType.DIRECTORY).build());
    root.createFile(p("/bin/su"), meta(FileType.REGULAR).mode(04755).uid(0).gid(42).mtime(t).build(),
        new java.io.ByteArrayInputStream("elf".getBytes(StandardCharsets.UTF_8)));
    FileMetadata m = root.metadata(p("/bin/su"));
    assertThat(m).extracting(FileMetadata::type, FileMetadata::mode, FileMetadata::gid, FileMetadata::size, FileMetadata::mtime)
        .containsExactly(FileType.REGULAR, 04755, 42, 3L, t);
    assertThat(root.readString(p("/bin/su"))).isEqualTo("elf");
    assertThatThrownBy(() -> root.createFile(p("/bin/su"), meta(FileType.REGULAR).build(), InputStream.nullInputStream()))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("/bin/su");
    assertThatThrownBy(() -> root.createFile(p("/x/y"), meta(FileType.REGULAR).build(), InputStream.nullInputStream()))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("/x/y");
    assertThatThrownBy(() -> root.createFile(p("/d"), meta(FileType.DIRECTORY).build(), InputStream.nullInputStream()))
        .isInstanceOf(IllegalArgumentException.class);
    // Through a symlink that points outside, the file still lands inside the root.
    root.createDirectories(p(sentinel.toString()));
    root.createSymlink(p("/out"), sentinel.toString());
    root.createFile(p("/out/new"), meta(FileType.REGULAR).build(), InputStream.nullInputStream());
    assertThat(root.exists(p(sentinel + "/new"))).isTrue();
  }

  @Test
  void createDirectoryTakesItsMetadataAndNeedsItsParent() throws Exception {
    root.createDirectory(p("/tmp"), meta(FileType.DIRECTORY).mode(01777).build());
    assertThat(root.metadata(p("/tmp")).mode()).isEqualTo(01777);
    assertThatThrownBy(() -> root.createDirectory(p("/x/y"), meta(FileType.DIRECTORY).build()))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("/x/y");
    assertThatThrownBy(() -> root.createDirectory(p("/tmp"), meta(FileType.DIRECTORY).build()))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("/tmp");
    assertThatThrownBy(() -> root.createDirectory(p("/f"), meta(FileType.REGULAR).build()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void entryWriterMakesWhatTheSingleCallsMake() throws Exception {
    Instant t = Instant.ofEpochSecond(1_600_000_000L, 123_456_789);
    byte[] big = new byte[(3 << 20) + 17]; // more than one write buffer
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + (i >>> 13));
    }
    try (RootFs.EntryWriter w = root.entryWriter()) {
      w.createDirectory(p("/usr"), meta(FileType.DIRECTORY).mode(0755).uid(0).gid(0).mtime(t).build());
      w.createDirectory(p("/usr/bin"), meta(FileType.DIRECTORY).mode(02775).uid(3).gid(4).mtime(t).build());
      w.createFile(p("/usr/bin/su"), meta(FileType.REGULAR).mode(04755).uid(7).gid(42).mtime(t).build(),
          new java.io.ByteArrayInputStream("elf".getBytes(StandardCharsets.UTF_8)));
      w.createFile(p("/usr/bin/big"), meta(FileType.REGULAR).mode(0600).mtime(t).build(), new java.io.ByteArrayInputStream(big));
      w.createFile(p("/usr/bin/empty"), meta(FileType.REGULAR).mode(0444).mtime(t).build(), InputStream.nullInputStream());
      w.createSymlink(p("/bin"), "usr/bin", meta(FileType.SYMLINK).uid(1000).gid(1001).mtime(t).build());
      w.createFile(p("/usr/bin/cap"), meta(FileType.REGULAR).mode(0755).mtime(t).xattr("user.k", new byte[] {1, 2}).build(),
          InputStream.nullInputStream());
      // Children bumped /usr/bin's time: the writer puts it back, and skips what is not a directory.
      assertThat(w.setDirectoryMtime(p("/usr/bin"), t)).isTrue();
      assertThat(w.setDirectoryMtime(p("/bin"), Instant.EPOCH)).as("a symlink is not followed").isFalse();
      assertThat(w.setDirectoryMtime(p("/usr/bin/su"), Instant.EPOCH)).isFalse();
      assertThat(w.setDirectoryMtime(p("/nothing"), Instant.EPOCH)).isFalse();
    }
    assertThat(root.metadata(p("/usr/bin"))).extracting(FileMetadata::type, FileMetadata::mode, FileMetadata::uid,
        FileMetadata::gid, FileMetadata::mtime).containsExactly(FileType.DIRECTORY, 02775, 3, 4, t);
    assertThat(root.metadata(p("/usr/bin/su"))).extracting(FileMetadata::type, FileMetadata::mode, FileMetadata::uid,
        FileMetadata::gid, FileMetadata::size, FileMetadata::mtime).containsExactly(FileType.REGULAR, 04755, 7, 42, 3L, t);
    assertThat(root.readAllBytes(p("/usr/bin/big"))).isEqualTo(big);
    assertThat(root.metadata(p("/usr/bin/empty"))).extracting(FileMetadata::mode, FileMetadata::size).containsExactly(0444, 0L);
    FileMetadata link = root.metadata(p("/bin"));
    assertThat(link).extracting(FileMetadata::type, FileMetadata::uid, FileMetadata::gid, FileMetadata::mtime)
        .containsExactly(FileType.SYMLINK, 1000, 1001, t);
    assertThat(root.readSymlink(p("/bin"))).isEqualTo("usr/bin");
    assertThat(root.metadata(p("/usr/bin/cap")).xattrs()).containsOnlyKeys("user.k");
    assertThat(root.metadata(p("/usr/bin/cap")).xattrs().get("user.k")).containsExactly(1, 2);
  }

  @Test
  void entryWriterNeedsTheParentAndAFreeName() throws Exception {
    try (RootFs.EntryWriter w = root.entryWriter()) {
      w.createDirectory(p("/d"), meta(FileType.DIRECTORY).build());
      w.createFile(p("/d/f"), meta(FileType.REGULAR).build(), InputStream.nullInputStream());
      assertThatThrownBy(() -> w.createFile(p("/d/f"), meta(FileType.REGULAR).build(), InputStream.nullInputStream()))
          .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("/d/f");
      assertThatThrownBy(() -> w.createDirectory(p("/d"), meta(FileType.DIRECTORY).build()))
          .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("/d");
      assertThatThrownBy(() -> w.createSymlink(p("/d/f"), "x", meta(FileType.SYMLINK).build()))
          .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("/d/f");
      assertThatThrownBy(() -> w.createFile(p("/x/y"), meta(FileType.REGULAR).build(), InputStream.nullInputStream()))
          .isInstanceOf(NoSuchFileException.class).hasMessageContaining("/x/y");
      assertThatThrownBy(() -> w.createFile(p("/d/f/y"), meta(FileType.REGULAR).build(), InputStream.nullInputStream()))
          .isInstanceOf(IOException.class).hasMessageContaining("/d/f");
      assertThatThrownBy(() -> w.createSymlink(p("/e"), "", meta(FileType.SYMLINK).build()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> w.createDirectory(p("/e"), meta(FileType.REGULAR).build()))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void entryWriterFollowsSymlinkedParentsInsideTheRoot() throws Exception {
    root.createDirectories(p(sentinel.toString()));
    try (RootFs.EntryWriter w = root.entryWriter()) {
      w.createSymlink(p("/out"), sentinel.toString(), meta(FileType.SYMLINK).build());
      w.createFile(p("/out/new"), meta(FileType.REGULAR).build(), new java.io.ByteArrayInputStream(new byte[] {'n'}));
      w.createDirectory(p("/out/dir"), meta(FileType.DIRECTORY).build());
      w.createSymlink(p("/out/dir/l"), "../keep", meta(FileType.SYMLINK).build());
      w.createSymlink(p("/up"), "../../../..", meta(FileType.SYMLINK).build());
      w.createFile(p("/up/top"), meta(FileType.REGULAR).build(), InputStream.nullInputStream());
    }
    assertThat(root.readString(p(sentinel + "/new"))).isEqualTo("n");
    assertThat(root.metadata(p(sentinel + "/dir")).type()).isEqualTo(FileType.DIRECTORY);
    assertThat(root.readSymlink(p(sentinel + "/dir/l"))).isEqualTo("../keep");
    assertThat(root.metadata(p("/top")).type()).isEqualTo(FileType.REGULAR);
  }

  @Test
  void entryWriterResolvesAgainADirectoryRemovedAndMadeASymlink() throws Exception {
    // The writer may hold /d open; once /d is gone and a symlink to the sentinel's host path
    // stands there, a file under /d must be resolved afresh: inside the root, never into the
    // removed directory and never outside.
    root.createDirectories(p(sentinel.toString()));
    try (RootFs.EntryWriter w = root.entryWriter()) {
      w.createDirectory(p("/d"), meta(FileType.DIRECTORY).build());
      w.createDirectory(p("/d/sub"), meta(FileType.DIRECTORY).build());
      w.createFile(p("/d/sub/a"), meta(FileType.REGULAR).build(), InputStream.nullInputStream());
      root.deleteRecursively(p("/d"));
      w.createSymlink(p("/d"), sentinel.toString(), meta(FileType.SYMLINK).build());
      w.createFile(p("/d/keep"), meta(FileType.REGULAR).build(), new java.io.ByteArrayInputStream(new byte[] {'x'}));
      assertThatThrownBy(() -> w.createFile(p("/d/sub/b"), meta(FileType.REGULAR).build(), InputStream.nullInputStream()))
          .isInstanceOf(NoSuchFileException.class);
      root.deleteRecursively(p("/d"));
      w.createDirectory(p("/d"), meta(FileType.DIRECTORY).build());
      w.createFile(p("/d/again"), meta(FileType.REGULAR).build(), InputStream.nullInputStream());
    }
    assertThat(root.readString(p(sentinel + "/keep"))).isEqualTo("x");
    assertThat(root.list(p("/d"))).containsExactly("again");
  }

  @Test
  void copyInTakesContentFromTheHostAndMetadataFromTheCaller() throws Exception {
    root.copyIn(sentinel.resolve("keep"), p("/opt/keep"), meta(FileType.REGULAR).mode(0600).uid(5).gid(6)
        .mtime(Instant.ofEpochSecond(1_000_000)).build());
    FileMetadata m = root.metadata(p("/opt/keep"));
    assertThat(root.readString(p("/opt/keep"))).isEqualTo("untouched\n");
    assertThat(m).extracting(FileMetadata::mode, FileMetadata::uid, FileMetadata::gid, FileMetadata::mtime)
        .containsExactly(0600, 5, 6, Instant.ofEpochSecond(1_000_000));
  }

  @Test
  void symlinksAreStoredVerbatimAndFollowedInside() throws Exception {
    root.createDirectories(p("/usr/bin"));
    root.createSymlink(p("/bin"), "usr/bin");
    root.createSymlink(p("/dangling"), "/nowhere/at/all");
    root.writeString(p("/bin/sh"), "shell");
    assertThat(root.readString(p("/usr/bin/sh"))).isEqualTo("shell");
    assertThat(root.readSymlink(p("/bin"))).isEqualTo("usr/bin");
    FileMetadata link = root.metadata(p("/bin"));
    assertThat(link.type()).isEqualTo(FileType.SYMLINK);
    assertThat(link.size()).isEqualTo(7);
    assertThat(root.exists(p("/dangling"))).isTrue();
    assertThat(root.isRegularFile(p("/dangling"))).isFalse();
    assertThat(root.realPath(p("/bin/sh"), true)).isEqualTo(p("/usr/bin/sh"));
    assertThat(root.realPath(p("/bin"), false)).isEqualTo(p("/bin"));
    assertThatThrownBy(() -> root.readSymlink(p("/usr"))).hasMessageContaining("/usr");
    assertThatThrownBy(() -> root.createSymlink(p("/bin"), "x")).isInstanceOf(FileAlreadyExistsException.class);
    assertThatThrownBy(() -> root.createSymlink(p("/e"), "")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hardlinksShareContentAndMetadata() throws Exception {
    root.write(p("/usr/bin/sudo"), "v1".getBytes(StandardCharsets.UTF_8), 04755);
    root.createHardlink(p("/usr/bin/sudoedit"), p("/usr/bin/sudo"));
    root.setOwner(p("/usr/bin/sudoedit"), 0, 27);
    root.writeString(p("/usr/bin/sudo"), "v2");
    assertThat(root.readString(p("/usr/bin/sudoedit"))).isEqualTo("v2");
    assertThat(root.metadata(p("/usr/bin/sudo")).gid()).isEqualTo(27);
    assertThat(root.metadata(p("/usr/bin/sudoedit")).mode()).isEqualTo(04755);
    root.delete(p("/usr/bin/sudo"));
    FileMetadata left = root.metadata(p("/usr/bin/sudoedit"));
    assertThat(left.gid()).as("metadata survives the first name").isEqualTo(27);
    assertThat(left.mode()).isEqualTo(04755);
    assertThatThrownBy(() -> root.createHardlink(p("/l"), p("/usr/bin")))
        .isInstanceOf(KairosException.class).hasMessageContaining("/usr/bin");
    assertThatThrownBy(() -> root.createHardlink(p("/l"), p("/missing")))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("/missing");
  }

  @Test
  void deletes() throws Exception {
    root.writeString(p("/d/e/f"), "x");
    root.createSymlink(p("/link"), "/d");
    assertThatThrownBy(() -> root.delete(p("/d"))).isInstanceOf(DirectoryNotEmptyException.class)
        .hasMessage("/d");
    assertThatThrownBy(() -> root.delete(p("/nope"))).isInstanceOf(NoSuchFileException.class).hasMessageContaining("/nope");
    assertThatThrownBy(() -> root.delete(ImagePath.ROOT)).isInstanceOf(KairosException.class);
    assertThat(root.deleteRecursively(p("/link"))).isTrue();
    assertThat(root.readString(p("/d/e/f"))).as("the link went, not its target").isEqualTo("x");
    assertThat(root.deleteRecursively(p("/d"))).isTrue();
    assertThat(root.deleteRecursively(p("/d"))).isFalse();
    assertThat(root.list(ImagePath.ROOT)).isEmpty();
  }

  // ------------------------------------------------------------ metadata round trips

  @ParameterizedTest
  @ValueSource(ints = {0, 0644, 0600, 0755, 04755, 02755, 01777, 06711, 07777, 0001})
  void fileModesRoundTripWithAllTwelveBits(int mode) throws Exception {
    root.writeString(p("/f"), "x");
    root.setMode(p("/f"), mode);
    assertThat(Integer.toOctalString(root.metadata(p("/f")).mode())).isEqualTo(Integer.toOctalString(mode));
  }

  @ParameterizedTest
  @ValueSource(ints = {0755, 01777, 02775, 0700, 03770})
  void directoryModesRoundTrip(int mode) throws Exception {
    root.createDirectories(p("/d"));
    root.setMode(p("/d"), mode);
    assertThat(Integer.toOctalString(root.metadata(p("/d")).mode())).isEqualTo(Integer.toOctalString(mode));
    root.writeString(p("/d/still-writable"), "x");
  }

  @Test
  void ownersRoundTrip() throws Exception {
    root.writeString(p("/home/u/f"), "x");
    root.setOwner(p("/home/u"), 1000, 1000);
    root.setOwner(p("/home/u/f"), 65534, 65534);
    assertThat(root.metadata(p("/home/u"))).extracting(FileMetadata::uid, FileMetadata::gid).containsExactly(1000, 1000);
    assertThat(root.metadata(p("/home/u/f"))).extracting(FileMetadata::uid, FileMetadata::gid).containsExactly(65534, 65534);
  }

  @Test
  void symlinksHaveTheirOwnOwnerAndMtime() throws Exception {
    root.writeString(p("/target"), "x");
    root.createSymlink(p("/link"), "target");
    root.setOwner(p("/link"), 7, 8);
    root.setMtime(p("/link"), Instant.ofEpochSecond(12345));
    FileMetadata link = root.metadata(p("/link"));
    assertThat(link).extracting(FileMetadata::uid, FileMetadata::gid, FileMetadata::mtime)
        .containsExactly(7, 8, Instant.ofEpochSecond(12345));
    FileMetadata target = root.metadata(p("/target"));
    assertThat(target).extracting(FileMetadata::uid, FileMetadata::gid).containsExactly(0, 0);
    assertThat(target.mtime()).isNotEqualTo(Instant.ofEpochSecond(12345));
    root.setMode(p("/link"), 0600);
    assertThat(root.metadata(p("/target")).mode()).as("setMode follows the link").isEqualTo(0600);
  }

  @Test
  void mtimesRoundTrip() throws Exception {
    root.writeString(p("/f"), "x");
    root.createDirectories(p("/d"));
    Instant t = Instant.parse("2024-02-29T12:34:56Z");
    root.setMtime(p("/f"), t);
    root.setMtime(p("/d"), t.plusSeconds(1));
    assertThat(root.metadata(p("/f")).mtime()).isEqualTo(t);
    assertThat(root.metadata(p("/d")).mtime()).isEqualTo(t.plusSeconds(1));
  }

  @Test
  void devicesAndFifosRoundTrip() throws Exception {
    root.createDirectories(p("/dev"));
    root.createSpecial(p("/dev/console"), meta(FileType.CHAR_DEVICE).mode(0600).device(5, 1).build());
    root.createSpecial(p("/dev/nvme0n1p1"), meta(FileType.BLOCK_DEVICE).mode(0660).gid(6).device(259, 300_000).build());
    root.createSpecial(p("/dev/initctl"), meta(FileType.FIFO).mode(0600).build());
    FileMetadata console = root.metadata(p("/dev/console"));
    assertThat(console).extracting(FileMetadata::type, FileMetadata::mode, FileMetadata::deviceMajor, FileMetadata::deviceMinor)
        .containsExactly(FileType.CHAR_DEVICE, 0600, 5, 1);
    FileMetadata disk = root.metadata(p("/dev/nvme0n1p1"));
    assertThat(disk).extracting(FileMetadata::type, FileMetadata::mode, FileMetadata::gid, FileMetadata::deviceMajor,
        FileMetadata::deviceMinor).containsExactly(FileType.BLOCK_DEVICE, 0660, 6, 259, 300_000);
    assertThat(root.metadata(p("/dev/initctl"))).extracting(FileMetadata::type, FileMetadata::mode)
        .containsExactly(FileType.FIFO, 0600);
    assertThat(root.isRegularFile(p("/dev/console"))).isFalse();
    assertThatThrownBy(() -> root.writeString(p("/dev/console"), "x")).hasMessageContaining("/dev/console");
    assertThatThrownBy(() -> root.readString(p("/dev/initctl"))).hasMessageContaining("/dev/initctl");
    assertThatThrownBy(() -> root.createSpecial(p("/dev/x"), meta(FileType.REGULAR).build()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void xattrsRoundTripAndAreSharedByHardlinks() throws Exception {
    root.writeString(p("/usr/bin/ping"), "x");
    root.setXattr(p("/usr/bin/ping"), "security.capability", new byte[] {1, 0, 0, 2});
    root.setXattr(p("/usr/bin/ping"), "user.note", "hi".getBytes(StandardCharsets.UTF_8));
    root.createHardlink(p("/usr/bin/ping6"), p("/usr/bin/ping"));
    FileMetadata m = root.metadata(p("/usr/bin/ping6"));
    assertThat(m.xattrs()).containsOnlyKeys("security.capability", "user.note");
    assertThat(m.xattrs().get("security.capability")).containsExactly(1, 0, 0, 2);
    root.setMode(p("/usr/bin/ping"), 0755);
    assertThat(root.metadata(p("/usr/bin/ping")).xattrs()).as("a mode change keeps xattrs").hasSize(2);
  }

  @Test
  void xattrsOfEveryNamespaceAreReplacedWholeAndSeenByWalk() throws Exception {
    root.writeString(p("/usr/bin/ping"), "x");
    byte[] cap = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    FileMetadata withAll = root.metadata(p("/usr/bin/ping")).toBuilder()
        .xattr("security.capability", cap).xattr("trusted.overlay.opaque", new byte[] {'y'})
        .xattr("user.empty", new byte[0]).build();
    root.setMetadata(p("/usr/bin/ping"), withAll);
    Map<String, FileMetadata> walked = new TreeMap<>();
    root.walk(ImagePath.ROOT, e -> walked.put(e.path().toString(), e.metadata()));
    assertThat(walked.get("/usr/bin/ping").xattrs()).containsOnlyKeys("security.capability", "trusted.overlay.opaque", "user.empty");
    assertThat(walked.get("/usr/bin/ping").xattrs().get("security.capability")).containsExactly(cap);
    assertThat(walked.get("/usr/bin/ping").xattrs().get("user.empty")).isEmpty();
    assertThat(walked.get("/usr/bin").xattrs()).isEmpty();

    root.setMetadata(p("/usr/bin/ping"), withAll.toBuilder().removeXattr("trusted.overlay.opaque")
        .xattr("user.empty", new byte[] {7}).build());
    assertThat(root.metadata(p("/usr/bin/ping")).xattrs()).containsOnlyKeys("security.capability", "user.empty");
    assertThat(root.metadata(p("/usr/bin/ping")).xattrs().get("user.empty")).containsExactly(7);
    root.setOwner(p("/usr/bin/ping"), 0, 0);
    assertThat(root.metadata(p("/usr/bin/ping")).xattrs().get("security.capability"))
        .as("a chown keeps the capability").containsExactly(cap);
    root.setMetadata(p("/usr/bin/ping"), withAll.toBuilder().clearXattrs().build());
    assertThat(root.metadata(p("/usr/bin/ping")).xattrs()).isEmpty();
  }

  @Test
  void xattrsOnSymlinksAndDirectoriesAreTheirOwn() throws Exception {
    root.createDirectories(p("/etc"));
    root.createSymlink(p("/link"), "etc");
    root.setXattr(p("/link"), "user.on-link", new byte[] {1});
    root.setXattr(p("/etc"), "security.x", new byte[] {2});
    assertThat(root.metadata(p("/link")).xattrs()).containsOnlyKeys("user.on-link");
    assertThat(root.metadata(p("/etc")).xattrs()).containsOnlyKeys("security.x");
    root.setMode(p("/link"), 0700);
    assertThat(root.metadata(p("/etc")).xattrs()).as("setMode follows the link and keeps the target's xattrs")
        .containsOnlyKeys("security.x");
    assertThat(root.metadata(p("/link")).xattrs()).containsOnlyKeys("user.on-link");
  }

  @Test
  void setMetadataChecksTheTypeAndAppliesEverything() throws Exception {
    root.writeString(p("/f"), "x");
    FileMetadata want = meta(FileType.REGULAR).mode(04711).uid(3).gid(4).mtime(Instant.ofEpochSecond(99))
        .xattr("user.a", new byte[] {1}).build();
    root.setMetadata(p("/f"), want);
    assertThat(root.metadata(p("/f"))).isEqualTo(want.toBuilder().size(1).build());
    assertThatThrownBy(() -> root.setMetadata(p("/f"), meta(FileType.DIRECTORY).build()))
        .isInstanceOf(KairosException.class).hasMessageContaining("/f");
  }

  // ------------------------------------------------------------ walker

  @Test
  void walkIsSortedParentsFirstAndMarksHardlinks() throws Exception {
    root.writeString(p("/z"), "z");
    root.writeString(p("/a/b"), "b");
    root.writeString(p("/a/B"), "B");
    root.createHardlink(p("/a/c"), p("/z"));
    root.createHardlink(p("/m"), p("/z"));
    root.createSymlink(p("/a/link"), "/a");
    root.createDirectories(p("/a-dir/x"));
    List<String> seen = new ArrayList<>();
    root.walk(ImagePath.ROOT, e -> seen.add(e.path() + (e.hardlinkOf().map(h -> "=" + h).orElse(""))
        + (e.symlinkTarget().map(t -> "->" + t).orElse(""))));
    assertThat(seen).containsExactly("/", "/a", "/a/B", "/a/b", "/a/c", "/a/link->/a", "/a-dir", "/a-dir/x",
        "/m=/a/c", "/z=/a/c");

    List<String> sub = new ArrayList<>();
    root.walk(p("/a/link"), e -> sub.add(e.path().toString()));
    assertThat(sub).as("a walk from a symlink starts at its target").containsExactly("/a", "/a/B", "/a/b", "/a/c", "/a/link");
  }

  @Test
  void walkGivesMetadataAndContent() throws Exception {
    root.write(p("/bin/x"), "content".getBytes(StandardCharsets.UTF_8), 04755);
    root.setOwner(p("/bin/x"), 1, 2);
    List<FsEntry> entries = new ArrayList<>();
    root.walk(ImagePath.ROOT, entries::add);
    FsEntry x = entries.get(2);
    assertThat(x.path()).isEqualTo(p("/bin/x"));
    assertThat(x.metadata()).extracting(FileMetadata::mode, FileMetadata::uid, FileMetadata::gid, FileMetadata::size)
        .containsExactly(04755, 1, 2, 7L);
    try (InputStream in = x.openContent()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("content");
    }
    assertThatThrownBy(entries.get(1)::openContent).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void walkingTwiceGivesTheSameSequence() throws Exception {
    for (int i = 0; i < 30; i++) {
      root.writeString(p("/d" + (i % 3) + "/f" + (i * 7919 % 31)), "x" + i);
    }
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    root.walk(ImagePath.ROOT, e -> first.add(e.toString()));
    root.walk(ImagePath.ROOT, e -> second.add(e.toString()));
    assertThat(first).hasSize(34).isEqualTo(second);
    List<ImagePath> paths = first.stream().map(s -> p(s.substring(0, s.indexOf(' ')))).toList();
    assertThat(paths).isSorted();
  }

  // ------------------------------------------------------------ hostile paths

  @Test
  void dotDotBeyondTheRootStaysAtTheRoot() throws Exception {
    root.writeString(p("/../../../sentinel/keep"), "inside");
    root.writeString(ImagePath.ROOT.resolve("../../../../etc/x"), "inside too");
    assertThat(root.readString(p("/sentinel/keep"))).isEqualTo("inside");
    assertThat(Files.readString(root.root().resolve("sentinel/keep"))).isEqualTo("inside");
    assertThat(Files.readString(root.root().resolve("etc/x"))).isEqualTo("inside too");
  }

  @Test
  void absoluteSymlinkToTheHostsEtcIsResolvedInTheImage() throws Exception {
    root.createSymlink(p("/hostetc"), "/etc");
    root.writeString(p("/hostetc/kairos-contract-test-marker"), "inside");
    assertThat(root.readString(p("/etc/kairos-contract-test-marker"))).isEqualTo("inside");
    assertThat(Files.exists(root.root().getFileSystem().getPath("/etc/kairos-contract-test-marker"))).isFalse();
    assertThat(root.exists(p("/hostetc/passwd"))).as("the host's /etc/passwd is not seen").isFalse();
  }

  @Test
  void absoluteSymlinkToTheSentinelsHostPathIsResolvedInTheImage() throws Exception {
    root.createSymlink(p("/out"), sentinel.toString());
    root.writeString(p("/out/keep"), "overwritten?");
    root.writeString(p("/out/new"), "new");
    root.createDirectories(p("/out/dir"));
    root.createSymlink(p("/out/dir/l"), "x");
    root.createSpecial(p("/out/fifo"), meta(FileType.FIFO).build());
    root.copyIn(sentinel.resolve("keep"), p("/out/copy"), meta(FileType.REGULAR).build());
    assertThat(root.realPath(p("/out/keep"), true)).isEqualTo(ImagePath.of(sentinel.toString()).resolve("keep"));
    assertThat(Files.readString(root.root().resolve(sentinel.toString().substring(1)).resolve("new"))).isEqualTo("new");
  }

  @Test
  void relativeSymlinksClimbingOutStopAtTheRoot() throws Exception {
    root.createDirectories(p("/a/b"));
    root.createSymlink(p("/a/b/up"), "../../../../../../sentinel");
    root.createSymlink(p("/up2"), "../sentinel/etc");
    root.writeString(p("/a/b/up/keep"), "inside");
    root.writeString(p("/up2/passwd"), "inside");
    assertThat(root.realPath(p("/a/b/up/keep"), true)).isEqualTo(p("/sentinel/keep"));
    assertThat(root.readString(p("/sentinel/etc/passwd"))).isEqualTo("inside");
    assertThat(root.list(p("/a/b/up"))).containsExactly("etc", "keep");
  }

  @Test
  void symlinkLoopsAreRefusedNamingThePath() throws Exception {
    root.createSymlink(p("/a"), "b");
    root.createSymlink(p("/b"), "/a");
    root.createSymlink(p("/self"), "self");
    root.createSymlink(p("/deep"), "deep/x");
    for (String path : List.of("/a/x", "/self/x", "/deep/y")) {
      assertThatThrownBy(() -> root.writeString(p(path), "y")).isInstanceOf(UnsafePathException.class)
          .hasMessageContaining(path);
      assertThatThrownBy(() -> root.readString(p(path))).isInstanceOf(UnsafePathException.class)
          .hasMessageContaining(path);
      assertThatThrownBy(() -> root.createDirectories(p(path))).isInstanceOf(UnsafePathException.class)
          .hasMessageContaining(path);
    }
    assertThatThrownBy(() -> root.readString(p("/a"))).isInstanceOf(UnsafePathException.class).hasMessageContaining("/a");
    assertThat(root.readSymlink(p("/a"))).isEqualTo("b");
    assertThat(((UnsafePathException) catchIo(() -> root.readString(p("/self"))))).extracting(UnsafePathException::path)
        .isEqualTo("/self");
  }

  @Test
  void aLongChainOfLinksIsRefusedButFortyAreFollowed() throws Exception {
    root.writeString(p("/end"), "end");
    String prev = "end";
    for (int i = 0; i < 41; i++) {
      root.createSymlink(p("/l" + i), prev);
      prev = "l" + i;
    }
    assertThat(root.readString(p("/l39"))).isEqualTo("end");
    assertThatThrownBy(() -> root.readString(p("/l40"))).isInstanceOf(UnsafePathException.class).hasMessageContaining("/l40");
  }

  @Test
  void symlinkInTheMiddleOfAPathIsFollowedInside() throws Exception {
    root.createDirectories(p("/usr/lib/real"));
    root.createSymlink(p("/usr/lib/current"), "real");
    root.createSymlink(p("/lib"), "usr/lib");
    root.writeString(p("/lib/current/x.so"), "so");
    assertThat(root.readString(p("/usr/lib/real/x.so"))).isEqualTo("so");
    assertThat(root.realPath(p("/lib/current/x.so"), true)).isEqualTo(p("/usr/lib/real/x.so"));
    assertThat(root.stat(p("/lib/current/x.so")).orElseThrow().type()).isEqualTo(FileType.REGULAR);
  }

  @Test
  void aFileUsedAsADirectoryFailsNamingThePath() throws Exception {
    root.writeString(p("/etc/hosts"), "x");
    assertThatThrownBy(() -> root.writeString(p("/etc/hosts/x"), "y")).hasMessageContaining("/etc/hosts/x");
    assertThatThrownBy(() -> root.createDirectories(p("/etc/hosts/d"))).hasMessageContaining("/etc/hosts");
    assertThatThrownBy(() -> root.createSymlink(p("/etc/hosts/l"), "t")).hasMessageContaining("/etc/hosts/l");
    assertThat(root.stat(p("/etc/hosts/x"))).isEmpty();
    assertThat(root.exists(p("/etc/hosts/x"))).isFalse();
    assertThat(root.readString(p("/etc/hosts"))).isEqualTo("x");
  }

  @Test
  void hardlinksResolveInsideAndCannotReachOut() throws Exception {
    root.createSymlink(p("/out"), sentinel.toString());
    // The target is an in-image path: through the link it names a file inside the image, which does not exist.
    assertThatThrownBy(() -> root.createHardlink(p("/stolen"), p("/out/keep")))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("/out/keep");
    assertThatThrownBy(() -> root.createHardlink(p("/stolen"), p("/../sentinel/keep")))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("/sentinel/keep");
    // A hardlink of the symlink itself is a second name of the link, still resolved in the image.
    root.createHardlink(p("/out2"), p("/out"));
    assertThat(root.readSymlink(p("/out2"))).isEqualTo(sentinel.toString());
    root.writeString(p("/out2/keep"), "inside");
    assertThat(root.readString(p(sentinel.toString() + "/keep"))).isEqualTo("inside");
    // A new name placed through a symlinked directory lands inside too.
    root.writeString(p("/file"), "f");
    root.createDirectories(p(sentinel.toString()));
    root.createHardlink(p("/out/hl"), p("/file"));
    assertThat(root.readString(p(sentinel + "/hl"))).isEqualTo("f");
  }

  @Test
  void deletingThroughASymlinkRemovesOnlyInsideTheImage() throws Exception {
    root.createSymlink(p("/out"), sentinel.toString());
    root.createSymlink(p("/rel"), "../../sentinel");
    assertThatThrownBy(() -> root.delete(p("/out/keep"))).isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("/out/keep");
    assertThat(root.deleteRecursively(p("/out/etc"))).isFalse();
    assertThat(root.deleteRecursively(p("/rel/etc"))).isFalse();
    assertThat(root.deleteRecursively(p("/out"))).isTrue();
    assertThat(root.deleteRecursively(p("/rel"))).isTrue();
    assertThat(root.list(ImagePath.ROOT)).isEmpty();
  }

  @Test
  void metadataChangesThroughHostileLinksStayInside() throws Exception {
    root.createSymlink(p("/out"), "../../sentinel/keep");
    assertThatThrownBy(() -> root.setMode(p("/out"), 0777)).isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("/out").hasMessageContaining("/sentinel/keep");
    root.setOwner(p("/out"), 5, 5);
    assertThat(root.metadata(p("/out")).uid()).isEqualTo(5);
    assertThatThrownBy(() -> root.setOwner(p("/out/x"), 5, 5)).hasMessageContaining("/out/x");
  }

  @Test
  void hostPathsAlwaysLieInsideTheRoot() throws Exception {
    root.createSymlink(p("/a"), "/../../..");
    root.createSymlink(p("/b"), sentinel.toString());
    for (String s : List.of("/a", "/a/b", "/b/keep", "/../..", "/a/../../x")) {
      Path host = root.hostPath(p(s), true);
      assertThat(host.startsWith(root.root())).as("%s lies in %s", host, root.root()).isTrue();
    }
  }

  private static IOException catchIo(IoCall call) {
    try {
      call.run();
    } catch (IOException e) {
      return e;
    }
    throw new AssertionError("no exception");
  }

  @FunctionalInterface
  private interface IoCall {
    void run() throws IOException;
  }
}
