package dev.kairos.factory.boot.internal.fat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;

class FatImageTest {
  static FatImage.Builder sample(FatType type) {
    return FatImage.builder().label("COS_GRUB").type(type)
        .sourceDate(SourceDate.of(Instant.parse("2024-05-06T07:08:10Z")))
        .file("/EFI/BOOT/BOOTX64.EFI", "MZ-not-really".repeat(1000).getBytes(StandardCharsets.US_ASCII))
        .file("/EFI/BOOT/grub.cfg", "search --label COS_STATE\n".getBytes(StandardCharsets.US_ASCII))
        .file("/loader/entries/A Very Long Entry Name-with.MixedCase.conf", "title x\n".getBytes(StandardCharsets.UTF_8))
        .file("/loader/entries/a very long entry name-with.other.conf", new byte[0])
        .directory("/EFI/tools");
  }

  static byte[] bytes(FatImage img) throws IOException {
    SeekableInMemoryByteChannel ch = new SeekableInMemoryByteChannel();
    img.writeTo(ch);
    return Arrays.copyOf(ch.array(), (int) ch.size());
  }

  @Test
  void chosenSizesFollowTheClusterCountRules() throws IOException {
    FatImage f16 = sample(FatType.AUTO).build();
    assertThat(f16.type()).isEqualTo(FatType.FAT16);
    assertThat(f16.size()).isEqualTo(4L << 20);
    FatImage f32 = sample(FatType.FAT32).build();
    assertThat(f32.type()).isEqualTo(FatType.FAT32);
    assertThat(f32.size()).isEqualTo(33L << 20);
    assertThat(sample(FatType.AUTO).size(600L << 20).build().type()).isEqualTo(FatType.FAT32);
  }

  @Test
  void bootSectorHasLabelSerialAndSignature() throws IOException {
    byte[] img = bytes(sample(FatType.FAT32).volumeId(0x12345678).build());
    ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getShort(11)).isEqualTo((short) 512);
    assertThat(b.getInt(67)).isEqualTo(0x12345678);
    assertThat(new String(img, 71, 11, StandardCharsets.US_ASCII)).isEqualTo("COS_GRUB   ");
    assertThat(new String(img, 82, 8, StandardCharsets.US_ASCII)).isEqualTo("FAT32   ");
    assertThat(img[510]).isEqualTo((byte) 0x55);
    // The backup boot sector is a copy.
    assertThat(Arrays.copyOfRange(img, 6 * 512, 7 * 512)).isEqualTo(Arrays.copyOf(img, 512));
  }

  @Test
  void sameInputSameBytesAndTheSerialFollowsTheContent() throws IOException {
    byte[] a = bytes(sample(FatType.FAT16).build());
    assertThat(bytes(sample(FatType.FAT16).build())).isEqualTo(a);
    FatImage other = sample(FatType.FAT16).file("/extra", new byte[1]).build();
    assertThat(other.volumeId()).isNotEqualTo(sample(FatType.FAT16).build().volumeId());
  }

  @Test
  void copiesATreeFromARootFsAndRefusesSymlinks() throws IOException {
    RootFs fs = InMemoryRootFs.create();
    fs.writeString(ImagePath.of("/esp/EFI/BOOT/BOOTX64.EFI"), "efi");
    fs.writeString(ImagePath.of("/esp/loader/loader.conf"), "timeout 5\n");
    byte[] viaTree = bytes(FatImage.builder().label("ESP").tree(fs, ImagePath.of("/esp"), "/").build());
    byte[] viaFiles = bytes(FatImage.builder().label("ESP")
        .file("/EFI/BOOT/BOOTX64.EFI", "efi".getBytes(StandardCharsets.US_ASCII))
        .file("/loader/loader.conf", "timeout 5\n".getBytes(StandardCharsets.US_ASCII)).build());
    assertThat(viaTree).isEqualTo(viaFiles);
    fs.createSymlink(ImagePath.of("/esp/link"), "loader");
    assertThatThrownBy(() -> FatImage.builder().tree(fs, ImagePath.of("/esp"), "/"))
        .hasMessageContaining("SYMLINK /esp/link");
  }

  @Test
  void rejectsWhatFatCannotHold() {
    assertThatThrownBy(() -> FatImage.builder().label("this-is-too-long")).hasMessageContaining("this-is-too-long");
    assertThatThrownBy(() -> FatImage.builder().file("/a/b", new byte[1]).file("/A/b", new byte[1]))
        .hasMessageContaining("ignore case");
    assertThatThrownBy(() -> FatImage.builder().file("/a:b", new byte[1])).hasMessageContaining("a:b");
    assertThatThrownBy(() -> FatImage.builder().type(FatType.FAT32).size(8L << 20).build())
        .hasMessageContaining("FAT32");
    assertThatThrownBy(() -> FatImage.builder().type(FatType.FAT16).size(4L << 20)
        .file("/big", new byte[5 << 20]).build()).hasMessageContaining("bytes of clusters");
  }
}
