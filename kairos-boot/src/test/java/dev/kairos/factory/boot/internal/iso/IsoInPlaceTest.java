package dev.kairos.factory.boot.internal.iso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.boot.api.iso.IsoImage;
import dev.kairos.factory.boot.internal.fat.FatImage;
import dev.kairos.factory.core.api.SourceDate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files made in place (written straight into the image by {@link IsoImage.ContentWriter}) give
 * the same image, byte for byte, as the same bytes given as files of their own; IsoImageIT has
 * xorriso read the image made from files.
 */
class IsoInPlaceTest {
  private static final SourceDate DATE = SourceDate.of(Instant.parse("2025-06-01T12:00:00Z"));

  @TempDir
  Path work;

  /** {@code bytes} written as a squashfs writer does: everything after a header, then the header last, at position 0. */
  private static IsoImage.ContentWriter headerLast(byte[] bytes) {
    return ch -> {
      ch.position(96);
      write(ch, ByteBuffer.wrap(bytes, 96, bytes.length - 96));
      ch.position(0);
      write(ch, ByteBuffer.wrap(bytes, 0, 96));
    };
  }

  private static void write(SeekableByteChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private IsoImage.Builder common(byte[] bios) {
    return IsoImage.builder().volumeId("COS_LIVE").sourceDate(DATE)
        .file("/boot/eltorito.img", bios)
        .file("/boot/grub2/grub.cfg", "set timeout=1\n".getBytes(StandardCharsets.UTF_8))
        .file("/config.yaml", "#cloud-config\n".getBytes(StandardCharsets.UTF_8))
        // placed after the squashfs, so their places depend on its size
        .file("/z/after", random(5000, 3))
        .biosBoot("/boot/eltorito.img", new byte[440])
        .efiBoot("/boot/uefi.img");
  }

  private byte[] write(IsoImage image) throws IOException {
    Path out = work.resolve("out-" + System.nanoTime() + ".iso");
    image.writeTo(out);
    return Files.readAllBytes(out);
  }

  @Test
  void filesMadeInPlaceGiveTheSameImageAsFromFiles() throws Exception {
    byte[] bios = random(4096, 1);
    byte[] squashfs = random(3_000_001, 2);
    FatImage uefi = FatImage.builder().label("EFI_LIVE").sourceDate(DATE)
        .file("/EFI/BOOT/grub.cfg", "configfile /boot/grub2/grub.cfg\n".getBytes(StandardCharsets.UTF_8)).build();
    Path squashfsFile = Files.write(work.resolve("rootfs.squashfs"), squashfs);
    Path uefiFile = work.resolve("uefi.img");
    uefi.writeTo(uefiFile);
    Path empty = Files.createFile(work.resolve("empty"));
    byte[] sparse = new byte[10_000];
    sparse[9_999] = 7;
    Path sparseFile = Files.write(work.resolve("sparse"), sparse);

    byte[] fromFiles = write(common(bios)
        .file("/rootfs.squashfs", squashfsFile)
        .file("/boot/uefi.img", uefiFile)
        .file("/a/empty", empty)
        .file("/a/sparse", sparseFile)
        .build());
    byte[] inPlace = write(common(bios)
        .file("/rootfs.squashfs", headerLast(squashfs))
        .file("/boot/uefi.img", uefi::writeTo)
        .file("/a/empty", ch -> { })
        // only its last byte is written: the rest reads as the zeros it is
        .file("/a/sparse", ch -> {
          ch.position(9_999);
          write(ch, ByteBuffer.wrap(new byte[] {7}));
        })
        .build());

    assertThat(inPlace.length).isEqualTo(fromFiles.length);
    assertThat(Arrays.mismatch(inPlace, fromFiles)).as("first differing byte").isEqualTo(-1);
    // the content is really there, not only the same zeros on both sides
    assertThat(indexOf(inPlace, squashfs)).isPositive();
  }

  @Test
  void aBiosImageCannotBeMadeInPlaceForItIsPatched() {
    IsoImage image = IsoImage.builder().file("/boot/eltorito.img", ch -> write(ch, ByteBuffer.wrap(random(4096, 1))))
        .biosBoot("/boot/eltorito.img", null).hybrid(false).build();
    assertThatThrownBy(() -> write(image)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/boot/eltorito.img").hasMessageContaining("in place");
  }

  @Test
  void aFileMadeInPlaceStopsAtTheLargestSizeAnExtentRecords() {
    IsoImage image = IsoImage.builder().file("/huge.squashfs", ch -> {
      ch.position(0xFFFF_FFFFL);
      write(ch, ByteBuffer.wrap(new byte[1]));
    }).build();
    assertThatThrownBy(() -> write(image)).isInstanceOf(IOException.class)
        .hasMessageContaining("/huge.squashfs").hasMessageContaining("4 GiB");
    assertThat(work).isEmptyDirectory();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i += IsoWriter.BLOCK) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
