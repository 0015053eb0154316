package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code build-disk} with and without {@code --bios} on a tiny root (needs mke2fs and grub-mkimage). */
class BuildDiskCommandTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path tmp;

  /** The first GPT entry's type GUID as stored (mixed-endian), and the MBR's GRUB kernel-sector field. */
  private record Layout(byte[] firstType, long mbrKernelSector) {}

  private Layout buildDisk(String name, String... extra) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root/etc"));
    Files.writeString(root.resolve("os-release"), "ID=debian\n");
    Path disk = tmp.resolve(name);
    String[] args = {"build-disk", "--root", tmp.resolve("root").toString(), "-o", disk.toString(),
        "--work", tmp.resolve("work").toString(), "--json"};
    CliRunner r = CliRunner.run(extra.length == 0 ? args : concat(args, extra));
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode n = JSON.readTree(r.out());
    assertThat(n.get("kind").asString()).isEqualTo("disk");
    assertThat(n.get("size").asLong()).isEqualTo(Files.size(disk));
    ByteBuffer head = ByteBuffer.allocate(3 * 512).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(disk)) {
      ch.read(head, 0);
    }
    byte[] type = new byte[16];
    head.get(2 * 512, type);
    return new Layout(type, head.getLong(0x5c));
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void biosPutsGrubsCoreInABiosBootPartitionAndPointsTheMbrAtIt() throws Exception {
    Layout bios = buildDisk("bios.raw", "--bios");
    // 21686148-6449-6e6f-744e-656564454649 stored mixed-endian reads as ASCII.
    assertThat(new String(bios.firstType(), StandardCharsets.US_ASCII)).isEqualTo("Hah!IdontNeedEFI");
    assertThat(bios.mbrKernelSector()).isEqualTo(2048);

    Layout efi = buildDisk("efi.raw");
    assertThat(efi.firstType()).isEqualTo(new byte[] {0x28, 0x73, 0x2a, (byte) 0xc1, 0x1f, (byte) 0xf8, (byte) 0xd2, 0x11,
        (byte) 0xba, 0x4b, 0x00, (byte) 0xa0, (byte) 0xc9, 0x3e, (byte) 0xc9, 0x3b});
    assertThat(efi.mbrKernelSector()).as("no boot code in the EFI disk's MBR").isZero();
  }

  @Test
  void buildRefusesBiosWithoutADisk() {
    CliRunner r = CliRunner.run("build", "--from", "dir:" + tmp, "--version", "v1.0.0", "--bios",
        "--work", tmp.resolve("work").toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--bios needs --disk FILE");
  }
}
