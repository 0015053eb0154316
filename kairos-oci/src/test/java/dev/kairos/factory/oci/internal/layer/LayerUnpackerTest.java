package dev.kairos.factory.oci.internal.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.FsEntry;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.oci.internal.tar.TarEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

class LayerUnpackerTest {
  private final RootFs root = InMemoryRootFs.create();
  private final LayerUnpacker unpacker = new LayerUnpacker(root);

  private static ImagePath p(String s) {
    return ImagePath.of(s);
  }

  @Test
  void appliesOwnersModesTimesAndEveryFileType() throws Exception {
    byte[] cap = {1, 0, 0, 2, (byte) 0xff, (byte) 0xfe, 0, 0x7f};
    unpacker.apply(new TestLayer()
        .dir("etc/", 0700)
        .file("etc/shadow", "root:*:\n", 0640, 0, 42, Map.of())
        .file("usr/bin/ping", "ELF", 04755, 0, 0, Map.of("security.capability", cap, "user.note", "x".getBytes()))
        .symlink("bin", "usr/bin")
        .hardlink("usr/bin/ping6", "usr/bin/ping")
        .special("dev/null", TarEntry.Kind.CHAR_DEVICE, 1, 3)
        .special("dev/sda", TarEntry.Kind.BLOCK_DEVICE, 8, 0)
        .special("run/initctl", TarEntry.Kind.FIFO, 0, 0)
        .stream(), "l1");

    FileMetadata etc = root.metadata(p("/etc"));
    assertThat(etc.type()).isEqualTo(FileType.DIRECTORY);
    assertThat(etc.mode()).isEqualTo(0700);
    assertThat(etc.mtime()).isEqualTo(TestLayer.T);
    FileMetadata shadow = root.metadata(p("/etc/shadow"));
    assertThat(shadow.mode()).isEqualTo(0640);
    assertThat(shadow.gid()).isEqualTo(42);
    assertThat(shadow.mtime()).isEqualTo(TestLayer.T);
    FileMetadata ping = root.metadata(p("/usr/bin/ping"));
    assertThat(ping.mode()).isEqualTo(04755);
    assertThat(ping.xattrs().get("security.capability")).containsExactly(cap);
    assertThat(root.readString(p("/bin/ping"))).isEqualTo("ELF");
    assertThat(root.readSymlink(p("/bin"))).isEqualTo("usr/bin");
    assertThat(root.metadata(p("/dev/null")).type()).isEqualTo(FileType.CHAR_DEVICE);
    assertThat(root.metadata(p("/dev/null")).deviceMajor()).isEqualTo(1);
    assertThat(root.metadata(p("/dev/null")).deviceMinor()).isEqualTo(3);
    assertThat(root.metadata(p("/dev/sda")).type()).isEqualTo(FileType.BLOCK_DEVICE);
    assertThat(root.metadata(p("/run/initctl")).type()).isEqualTo(FileType.FIFO);
    List<FsEntry> links = new ArrayList<>();
    root.walk(ImagePath.ROOT, e -> {
      if (e.hardlinkOf().isPresent()) {
        links.add(e);
      }
    });
    assertThat(links).extracting(e -> e.path().toString() + "=" + e.hardlinkOf().get()).containsExactly("/usr/bin/ping6=/usr/bin/ping");
  }

  @Test
  void whiteoutsAndOpaqueDirectoriesApplyInLayerOrder() throws Exception {
    unpacker.apply(new TestLayer()
        .file("a/keep", "1").file("a/gone", "2").dir("a/sub/").file("a/sub/deep", "3")
        .file("o/old1", "x").file("o/old2", "y").file("top", "t")
        .stream(), "l1");
    unpacker.apply(new TestLayer()
        .file("a/.wh.gone", "").file("a/.wh.sub", "")
        .dir("o/").file("o/.wh..wh..opq", "").file("o/new", "n")
        .file(".wh.top", "")
        .stream(), "l2");
    assertThat(root.list(p("/a"))).containsExactly("keep");
    assertThat(root.list(p("/o"))).containsExactly("new");
    assertThat(root.exists(p("/top"))).isFalse();
    assertThat(root.exists(p("/o/.wh..wh..opq"))).isFalse();
  }

  @Test
  void opaqueMarkerAfterSameLayerEntriesKeepsThem() throws Exception {
    unpacker.apply(new TestLayer().file("o/lower", "x").stream(), "l1");
    unpacker.apply(new TestLayer().dir("o/").file("o/-early", "e").file("o/.wh..wh..opq", "").stream(), "l2");
    assertThat(root.list(p("/o"))).containsExactly("-early");
  }

  @Test
  void entriesReplaceWhateverWasThere() throws Exception {
    unpacker.apply(new TestLayer().file("x", "file").dir("d/").file("d/f", "1").symlink("s", "d").stream(), "l1");
    unpacker.apply(new TestLayer().dir("x/").file("d", "now a file").dir("s/").file("s/in", "real dir").stream(), "l2");
    assertThat(root.metadata(p("/x")).type()).isEqualTo(FileType.DIRECTORY);
    assertThat(root.readString(p("/d"))).isEqualTo("now a file");
    assertThat(root.metadata(p("/s")).type()).isEqualTo(FileType.DIRECTORY);
    assertThat(root.readString(p("/s/in"))).isEqualTo("real dir");
  }

  @Test
  void readsGnuLongNamesBigNumbersAndPaxFromAnotherWriter() throws Exception {
    String longName = "very/" + "long-directory-name/".repeat(12) + "file-with-a-long-name.txt";
    String longTarget = "/" + "t".repeat(150);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
      t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
      TarArchiveEntry f = new TarArchiveEntry(longName);
      byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
      f.setSize(content.length);
      f.setUserId(3_000_000);
      f.setGroupId(7);
      f.setMode(0100600);
      t.putArchiveEntry(f);
      t.write(content);
      t.closeArchiveEntry();
      TarArchiveEntry l = new TarArchiveEntry("link", TarArchiveEntry.LF_SYMLINK);
      l.setLinkName(longTarget);
      t.putArchiveEntry(l);
      t.closeArchiveEntry();
    }
    unpacker.apply(new ByteArrayInputStream(bytes.toByteArray()), "gnu");
    assertThat(root.readString(p(longName))).isEqualTo("hello");
    assertThat(root.metadata(p(longName)).uid()).isEqualTo(3_000_000);
    assertThat(root.metadata(p(longName)).mode()).isEqualTo(0600);
    assertThat(root.readSymlink(p("/link"))).isEqualTo(longTarget);
  }

  @Test
  void paxNamesAndTargetsFromOurWriterRoundTrip() throws Exception {
    String name = "ü/" + "x".repeat(300);
    unpacker.apply(new TestLayer().file(name, "u").symlink("l", "ä".repeat(80)).stream(), "pax");
    assertThat(root.readString(p(name))).isEqualTo("u");
    assertThat(root.readSymlink(p("/l"))).isEqualTo("ä".repeat(80));
  }

  @Test
  void corruptOrUnsupportedMembersAreNamed() {
    byte[] layer = new TestLayer().file("etc/hosts", "x").bytes();
    layer[148] = '7';
    assertThatThrownBy(() -> unpacker.apply(new ByteArrayInputStream(layer), "bad"))
        .isInstanceOf(KairosException.class).hasMessageContaining("checksum").hasMessageContaining("etc/hosts");
    byte[] sparse = new TestLayer().file("sparse", "x").bytes();
    sparse[156] = 'S';
    fixChecksum(sparse);
    assertThatThrownBy(() -> unpacker.apply(new ByteArrayInputStream(sparse), "bad"))
        .isInstanceOf(KairosException.class).hasMessageContaining("'sparse'").hasMessageContaining("unsupported type 'S'");
  }

  static void fixChecksum(byte[] h) {
    java.util.Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += h[i] & 0xff;
    }
    byte[] c = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(c, 0, h, 148, 6);
    h[154] = 0;
  }
}
