package dev.kairos.factory.boot.api.gpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.zip.CRC32;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;

class GptDiskTest {
  static GptDisk sample() {
    return GptDisk.builder()
        .add(GptDisk.partition("efi").type(GptType.ESP).size(4L << 20)
            .content(PartitionContent.ofBytes("ESP!".getBytes(StandardCharsets.US_ASCII))))
        .add(GptDisk.partition("oem").size(1L << 20).guid(Guids.v5(Guids.URL_NAMESPACE, "COS_OEM")))
        .add(GptDisk.partition("persistent").size(0))
        .size(16L << 20)
        .build();
  }

  static byte[] bytes(GptDisk d) throws IOException {
    SeekableInMemoryByteChannel ch = new SeekableInMemoryByteChannel();
    d.writeTo(ch);
    return Arrays.copyOf(ch.array(), (int) ch.size());
  }

  @Test
  void readsBackWhatItWrote() throws IOException {
    GptDisk written = sample();
    GptDisk read = GptDisk.read(new SeekableInMemoryByteChannel(bytes(written)));
    assertThat(read.diskGuid()).isEqualTo(written.diskGuid());
    assertThat(read.size()).isEqualTo(written.size());
    assertThat(read.partitions()).extracting(GptDisk.Partition::toString)
        .containsExactlyElementsOf(written.partitions().stream().map(GptDisk.Partition::toString).toList());
    assertThat(read.partitions()).extracting(GptDisk.Partition::guid)
        .containsExactlyElementsOf(written.partitions().stream().map(GptDisk.Partition::guid).toList());
    assertThat(read.partitions()).extracting(GptDisk.Partition::attributes)
        .containsExactlyElementsOf(written.partitions().stream().map(GptDisk.Partition::attributes).toList());
    assertThat(Guids.fromMixedEndian(Guids.toMixedEndian(GptType.ESP), 0)).isEqualTo(GptType.ESP);
  }

  @Test
  void aHybridMbrListsThePartitionFirstThenProtectsOnlyWhatIsInFront() throws IOException {
    GptDisk plain = sample();
    GptDisk hybrid = GptDisk.builder()
        .add(GptDisk.partition("efi").type(GptType.ESP).size(4L << 20))
        .add(GptDisk.partition("oem").size(1L << 20))
        .hybridMbr("efi", 0x0C).size(16L << 20).build();
    ByteBuffer mbr = ByteBuffer.wrap(bytes(hybrid), 0, 512).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(mbr.get(446 + 4) & 0xFF).isEqualTo(0x0C);
    assertThat(mbr.getInt(446 + 8)).isEqualTo(2048);
    assertThat(mbr.getInt(446 + 12)).isEqualTo(8192);
    assertThat(mbr.get(462 + 4) & 0xFF).isEqualTo(0xEE);
    assertThat(mbr.getInt(462 + 8)).isEqualTo(1);
    assertThat(mbr.getInt(462 + 12)).isEqualTo(2047);
    assertThat(mbr.get(478 + 4)).isZero();
    // read back, written again: the same sector; a plain protective MBR stays plain
    byte[] again = bytes(GptDisk.read(new SeekableInMemoryByteChannel(bytes(hybrid))));
    assertThat(Arrays.copyOf(again, 512)).isEqualTo(Arrays.copyOf(bytes(hybrid), 512));
    ByteBuffer plainMbr = ByteBuffer.wrap(bytes(GptDisk.read(new SeekableInMemoryByteChannel(bytes(plain)))), 0, 512)
        .order(ByteOrder.LITTLE_ENDIAN);
    assertThat(plainMbr.get(446 + 4) & 0xFF).isEqualTo(0xEE);
    assertThatThrownBy(() -> GptDisk.builder().add(GptDisk.partition("efi").size(1L << 20)).hybridMbr("esp", 0x0C).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("hybrid MBR: no partition esp below 2 TiB");
    assertThatThrownBy(() -> GptDisk.builder().hybridMbr("efi", 0xEE)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readingRefusesABrokenTable() throws IOException {
    byte[] img = bytes(sample());
    img[512 + 60] ^= 1; // a bit of the disk GUID: the header CRC no longer matches
    assertThatThrownBy(() -> GptDisk.read(new SeekableInMemoryByteChannel(img)))
        .isInstanceOf(dev.kairos.factory.core.api.KairosException.class).hasMessageContaining("header CRC");
    assertThatThrownBy(() -> GptDisk.read(new SeekableInMemoryByteChannel(new byte[4096])))
        .isInstanceOf(dev.kairos.factory.core.api.KairosException.class).hasMessageContaining("no GPT");
  }

  @Test
  void kairosGuidsAreTheDocumentedOnes() {
    assertThat(Guids.v5(Guids.URL_NAMESPACE, "KAIROS_DISK"))
        .isEqualTo(UUID.fromString("2ceff841-4c1d-5a14-8e46-ed3aeb621093"));
    assertThat(Guids.v5(Guids.URL_NAMESPACE, "COS_OEM"))
        .isEqualTo(UUID.fromString("8bfa06f9-ca4f-56dc-90c9-49cf20f4f45e"));
    assertThat(Guids.toMixedEndian(GptType.ESP)).startsWith(0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11);
  }

  @Test
  void placesPartitionsAlignedAndFillsTheRest() {
    GptDisk d = sample();
    assertThat(d.size()).isEqualTo(16L << 20);
    assertThat(d.partitions()).extracting(GptDisk.Partition::startLba).containsExactly(2048L, 10240L, 12288L);
    // The filler ends on the last whole MiB before the backup table.
    assertThat(d.partitions().get(2).endLba()).isEqualTo(30719L);
    assertThat(d.partitions().get(2).size()).isEqualTo(9L << 20);
  }

  @Test
  void headersCarryValidCrcsAndPointAtEachOther() throws IOException {
    byte[] img = bytes(sample());
    assertThat(img).hasSize(16 << 20);
    assertThat(img[510]).isEqualTo((byte) 0x55);
    assertThat(img[450]).isEqualTo((byte) 0xEE);
    ByteBuffer primary = ByteBuffer.wrap(img, 512, 512).slice().order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer backup = ByteBuffer.wrap(img, img.length - 512, 512).slice().order(ByteOrder.LITTLE_ENDIAN);
    for (ByteBuffer h : new ByteBuffer[] {primary, backup}) {
      byte[] hdr = new byte[92];
      h.get(0, hdr);
      assertThat(new String(hdr, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("EFI PART");
      int stored = h.getInt(16);
      Arrays.fill(hdr, 16, 20, (byte) 0);
      CRC32 crc = new CRC32();
      crc.update(hdr);
      assertThat(stored).isEqualTo((int) crc.getValue());
      long entriesLba = h.getLong(72);
      CRC32 ecrc = new CRC32();
      ecrc.update(img, (int) entriesLba * 512, 128 * 128);
      assertThat(h.getInt(88)).isEqualTo((int) ecrc.getValue());
    }
    assertThat(primary.getLong(32)).isEqualTo(img.length / 512 - 1);
    assertThat(backup.getLong(32)).isEqualTo(1);
    assertThat(new String(img, 2048 * 512, 4, StandardCharsets.US_ASCII)).isEqualTo("ESP!");
    assertThat(bytes(sample())).isEqualTo(img);
  }

  @Test
  void rejectsOverlapsMisfitsAndBadNames() {
    assertThatThrownBy(() -> GptDisk.builder().add(GptDisk.partition("a").size(8L << 20)).size(4L << 20).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
    assertThatThrownBy(() -> GptDisk.builder()
        .add(GptDisk.partition("a").startLba(2048).size(1L << 20))
        .add(GptDisk.partition("b").startLba(3000).size(1L << 20)).build())
        .hasMessageContaining("overlap");
    assertThatThrownBy(() -> GptDisk.partition("x".repeat(37))).hasMessageContaining("36");
    assertThatThrownBy(() -> GptDisk.partition("a").size(1000)).hasMessageContaining("1000");
    assertThatThrownBy(() -> GptDisk.builder().add(GptDisk.partition("a").size(0))
        .add(GptDisk.partition("b").size(512)).build()).hasMessageContaining("only the last");
  }

  @Test
  void contentLargerThanThePartitionFails() {
    GptDisk d = GptDisk.builder().add(GptDisk.partition("a").size(512)
        .content(PartitionContent.ofBytes(new byte[513]))).build();
    assertThatThrownBy(() -> bytes(d)).isInstanceOf(IOException.class).hasMessageContaining("partition a");
  }
}
