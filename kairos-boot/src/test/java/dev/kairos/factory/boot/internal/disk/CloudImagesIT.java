package dev.kairos.factory.boot.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raw disk's cloud images, checked by the tools a user would run: {@code qemu-img info} reads
 * the Azure VHD as format {@code vpc} with the raw disk's size, the VHD starts with the raw disk's
 * bytes, {@code tar} lists {@code disk.raw} alone in the GCE image and {@code sfdisk} reads its
 * GPT; two builds of each are byte-identical.
 */
class CloudImagesIT {
  private static final SourceDate DATE = SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"));

  @TempDir
  static Path work;
  static RootFs root;

  @BeforeAll
  static void root() throws Exception {
    assumeTrue(HostCommand.available("mke2fs") && HostCommand.available("grub-mkimage")
        && HostCommand.available("qemu-img") && HostCommand.available("sfdisk"), "host tools missing");
    root = RootFs.at(Files.createDirectories(work.resolve("rootfs")));
    root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\n");
    root.writeString(ImagePath.of("/boot/vmlinuz"), "kernel");
    root.writeString(ImagePath.of("/boot/initrd"), "initrd");
  }

  private static Artifact write(RawDisk.Format format, String name) throws Exception {
    return RawDisk.to(work.resolve(name)).format(format)
        .options(BootMediaOptions.builder().workDirectory(work.resolve("w-" + name)).build())
        .write(BuiltImage.of(root, DATE), EventListener.NONE);
  }

  private static String sh(String script) throws Exception {
    Path out = work.resolve("sh.out");
    HostCommand.run(List.of("sh", "-c", "(" + script + ") > " + out + " 2>&1"), Duration.ofMinutes(2));
    return Files.readString(out);
  }

  @Test
  void vhdIsTheRawDiskAndAFooterThatQemuImgReadsAsVpc() throws Exception {
    Artifact raw = write(RawDisk.Format.RAW, "kairos.raw");
    Artifact vhd = write(RawDisk.Format.VHD, "kairos.vhd");
    Path vhdFile = work.resolve("kairos.vhd");

    assertThat(vhd.kind()).isEqualTo(ArtifactKind.VHD);
    assertThat(raw.size() % (1 << 20)).as("Azure wants whole MiB").isZero();
    assertThat(vhd.size()).isEqualTo(raw.size() + 512);
    // The disk's bytes come first, unchanged: the files differ only from the footer on.
    assertThat(Files.mismatch(work.resolve("kairos.raw"), vhdFile)).isEqualTo(raw.size());

    String info = sh("qemu-img info -f vpc --output=json " + vhdFile);
    assertThat(info).contains("\"format\": \"vpc\"").contains("\"virtual-size\": " + raw.size() + ",");
    // qemu checks the footer's checksum: one changed byte, and the file is no VHD to it.
    Path bad = work.resolve("bad.vhd");
    Files.copy(vhdFile, bad);
    try (var ch = java.nio.channels.FileChannel.open(bad, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x7f}), raw.size() + 64);
    }
    assertThat(sh("qemu-img info -f vpc " + bad + " || true")).contains("Incorrect header checksum");
    Files.delete(bad);

    Artifact again = write(RawDisk.Format.VHD, "again.vhd");
    assertThat(Files.mismatch(vhdFile, work.resolve("again.vhd"))).isEqualTo(-1L);
    assertThat(again.digest()).isEqualTo(vhd.digest());
    try (Stream<Path> s = Files.list(work)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".kairos-tmp-"));
    }
  }

  @Test
  void gceImageIsDiskRawAloneInAGzipTar() throws Exception {
    Artifact gce = write(RawDisk.Format.GCE, "kairos.tar.gz");
    Path tar = work.resolve("kairos.tar.gz");
    assertThat(gce.kind()).isEqualTo(ArtifactKind.GCE_IMAGE);
    assertThat(sh("tar -tzf " + tar)).isEqualTo("disk.raw\n");
    assertThat(sh("tar -tvzf " + tar)).contains("root/root").contains(" 1073741824 2025-01-01 00:00 disk.raw");

    Path x = Files.createDirectories(work.resolve("x"));
    sh("tar -xzf " + tar + " -C " + x);
    Path disk = x.resolve("disk.raw");
    assertThat(Files.size(disk) % (1L << 30)).as("GCE wants whole GiB").isZero();
    assertThat(sh("sfdisk --json " + disk)).contains("\"label\": \"gpt\"", "\"name\": \"efi\"", "\"name\": \"oem\"",
        "\"name\": \"recovery\"");
    assertThat(sh("sfdisk --verify " + disk)).contains("No errors detected.");
    Files.delete(disk);

    write(RawDisk.Format.GCE, "again.tar.gz");
    assertThat(Files.mismatch(tar, work.resolve("again.tar.gz"))).isEqualTo(-1L);
  }
}
