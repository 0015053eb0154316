package dev.kairos.factory.boot.internal.squashfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.squashfs.SquashfsCompression;
import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import dev.kairos.factory.boot.api.squashfs.SquashfsWriter;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** unsquashfs is the referee: listing with numeric owners, modes and times, and extracted contents. */
class SquashfsIT {
  private static final int BLOCK = 1 << 17;
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @TempDir
  static Path work;
  static RootFs root;

  @BeforeAll
  static void tree() throws Exception {
    assumeTrue(HostCommand.available("unsquashfs") && HostCommand.available("mksquashfs"), "squashfs-tools missing");
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root for owners and device nodes");
    Path dir = Files.createDirectory(work.resolve("rootfs"));
    root = RootFs.at(dir);
    SampleTree.fill(root, BLOCK);
  }

  private static SquashfsOptions options(SquashfsCompression c) {
    return SquashfsOptions.builder().compression(c).blockSize(BLOCK)
        .sourceDate(SourceDate.of(Instant.parse("2025-06-01T00:00:00Z"))).build();
  }

  private static String listing(Path image) throws Exception {
    Path out = work.resolve(image.getFileName() + ".lst");
    String text = HostCommand.run(List.of("sh", "-c", "unsquashfs -lln -UTC " + image + " > " + out), TIMEOUT).outputTail();
    assertThat(text).doesNotContainIgnoringCase("error");
    return Files.readString(out);
  }

  @ParameterizedTest
  @EnumSource(SquashfsCompression.class)
  void unsquashfsListsTheSameTreeAsForMksquashfs(SquashfsCompression c) throws Exception {
    Path ours = work.resolve("ours-" + c + ".sqfs");
    Path theirs = work.resolve("theirs-" + c + ".sqfs");
    SquashfsWriter.inJava(options(c)).write(root, ours);
    SquashfsWriter.mksquashfs(options(c), TIMEOUT).write(root, theirs);

    String lst = listing(ours);
    assertThat(lst)
        .contains("-rwsr-xr-x 0/0")
        .contains("drwx------ 1000/100")
        .contains("drwxrwxrwt 0/0")
        .contains("brw-rw---- 0/6")
        .contains("prw------- 0/0")
        .contains("squashfs-root/bin -> usr/bin")
        .contains("2020-01-02 03:04 squashfs-root/etc/hostname")
        .contains("2025-06-01 00:00 squashfs-root/usr/bin/sudo");
    assertThat(lst).containsPattern("crw------- 0/0 +5, +1 .*/dev/console");
    // directory sizes depend on how entries group into inode blocks, and mksquashfs takes a
    // directory's time from the host, so both are left out for directories
    assertThat(withoutDirectorySizes(lst)).isEqualTo(withoutDirectorySizes(listing(theirs)));
    assertThat(HostCommand.run(List.of("unsquashfs", "-s", ours.toString()), TIMEOUT).outputTail())
        .contains("Compression " + c.toolName()).contains("Block size " + BLOCK);

    Path extracted = work.resolve("x-" + c);
    HostCommand.run(List.of("unsquashfs", "-no-xattrs", "-d", extracted.toString(), ours.toString()), TIMEOUT);
    try (Stream<Path> files = Files.walk(root.root())) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path x = extracted.resolve(root.root().relativize(p).toString());
        if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          assertThat(Files.mismatch(p, x)).as(x.toString()).isEqualTo(-1L);
        }
      }
    }
    assertThat(Files.isSameFile(extracted.resolve("usr/bin/sudo"), extracted.resolve("usr/bin/sudoedit"))).isTrue();
  }

  private static String withoutDirectorySizes(String listing) {
    return listing.replaceAll("(?m)^(d\\S+ \\S+) +\\d+ \\S+ \\S+ ", "$1 ");
  }

  @Test
  void secondWriteIsByteIdentical() throws Exception {
    Path a = work.resolve("a.sqfs");
    Path b = work.resolve("b.sqfs");
    SquashfsWriter.inJava(options(SquashfsCompression.GZIP)).write(root, a);
    SquashfsWriter.inJava(options(SquashfsCompression.GZIP)).write(root, b);
    assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
  }

  /**
   * Capabilities and other extended attributes, set on disk by {@code setcap} and through the
   * rootfs, in sets numerous enough to span several metadata blocks: {@code unsquashfs} extracts
   * them and {@code getcap} and the rootfs read the same back.
   */
  @Test
  void xattrsSurviveUnsquashfs() throws Exception {
    assumeTrue(HostCommand.available("setcap") && HostCommand.available("getcap"), "needs libcap2-bin");
    RootFs src = RootFs.at(Files.createDirectory(work.resolve("xattr-src")));
    src.createDirectories(ImagePath.of("/usr/bin"));
    src.writeString(ImagePath.of("/usr/bin/ping"), "ping");
    HostCommand.run(List.of("setcap", "cap_net_raw+ep", src.root().resolve("usr/bin/ping").toString()), TIMEOUT);
    src.createHardlink(ImagePath.of("/usr/bin/ping4"), ImagePath.of("/usr/bin/ping"));
    src.writeString(ImagePath.of("/usr/bin/arping"), "arping");
    src.setXattr(ImagePath.of("/usr/bin/arping"), "security.capability",
        src.metadata(ImagePath.of("/usr/bin/ping")).xattrs().get("security.capability"));
    src.createSymlink(ImagePath.of("/usr/bin/ping6"), "ping");
    src.setXattr(ImagePath.of("/usr/bin/ping6"), "trusted.link", new byte[] {1});
    src.setXattr(ImagePath.of("/usr"), "trusted.overlay.opaque", new byte[] {'y'});
    src.createDirectories(ImagePath.of("/many"));
    for (int i = 0; i < 700; i++) {
      ImagePath f = ImagePath.of("/many/f" + i);
      src.writeString(f, "");
      src.setXattr(f, "user.n", ("value-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Path image = work.resolve("xattrs.sqfs");
    SquashfsWriter.inJava(options(SquashfsCompression.ZSTD)).write(src, image);

    Path extracted = work.resolve("xattrs-x");
    String out = HostCommand.run(List.of("unsquashfs", "-d", extracted.toString(), image.toString()), TIMEOUT).outputTail();
    assertThat(out).doesNotContainIgnoringCase("error").doesNotContainIgnoringCase("failed");
    assertThat(HostCommand.run(List.of("getcap", extracted.resolve("usr/bin/ping").toString(),
        extracted.resolve("usr/bin/arping").toString()), TIMEOUT).outputTail())
        .contains("usr/bin/ping cap_net_raw=ep").contains("usr/bin/arping cap_net_raw=ep");
    RootFs back = RootFs.at(extracted);
    java.util.Map<String, String> want = new java.util.TreeMap<>();
    java.util.Map<String, String> got = new java.util.TreeMap<>();
    src.walk(ImagePath.ROOT, e -> want.put(e.path().toString(), xattrs(e.metadata())));
    back.walk(ImagePath.ROOT, e -> got.put(e.path().toString(), xattrs(e.metadata())));
    assertThat(got).isEqualTo(want);
    assertThat(got.get("/many/f699")).isEqualTo("user.n=76616c75652d363939");
    SquashfsWriter.inJava(options(SquashfsCompression.ZSTD)).write(src, work.resolve("xattrs-again.sqfs"));
    assertThat(Files.mismatch(image, work.resolve("xattrs-again.sqfs"))).isEqualTo(-1L);
  }

  private static String xattrs(dev.kairos.factory.core.api.fs.FileMetadata m) {
    StringBuilder b = new StringBuilder();
    m.xattrs().forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(java.util.HexFormat.of().formatHex(v)));
    return b.toString();
  }
}
