package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

/** {@code build-disk} with and without {@code --bios}, and as a VHD, on a tiny root (needs mke2fs and grub-mkimage). */
class BuildDiskCommandTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path tmp;

  /** The first GPT entry's type GUID as stored (mixed-endian), and the MBR's GRUB kernel-sector field. */
  private record Layout(byte[] firstType, long mbrKernelSector) {}

  /** A root with what a disk needs: a kernel and an initrd in /boot. */
  private Path root() throws Exception {
    Path root = tmp.resolve("root");
    Files.writeString(Files.createDirectories(root.resolve("etc")).resolve("os-release"), "ID=debian\n");
    Files.writeString(Files.createDirectories(root.resolve("boot")).resolve("vmlinuz"), "kernel");
    Files.writeString(root.resolve("boot/initrd"), "initrd");
    return root;
  }

  private Layout buildDisk(String name, String... extra) throws Exception {
    root();
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
    assertThat(r.err()).contains("--bios needs --disk, --vhd or --gce FILE");
  }

  @Test
  void aRootWithoutBootIsRefusedAsBuildIsoRefusesIt() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("bare/etc"));
    Files.writeString(root.resolve("os-release"), "ID=debian\n");
    for (String verb : new String[] {"build-disk", "build-iso"}) {
      Path out = tmp.resolve(verb + ".out");
      CliRunner r = CliRunner.run(verb, "--root", tmp.resolve("bare").toString(), "-o", out.toString(),
          "--work", tmp.resolve("work-" + verb).toString());
      assertThat(r.exit()).as(verb + ": " + r.err()).isEqualTo(1);
      assertThat(r.err()).as(verb).contains("the rootfs has no /boot directory, so no kernel to boot");
      assertThat(out).as(verb).doesNotExist();
    }
  }

  @Test
  void aCloudConfigWithoutItsHeaderIsAUsageErrorBeforeAnyWork() throws Exception {
    Path config = Files.writeString(tmp.resolve("config.yaml"), "users: []\n");
    Path disk = tmp.resolve("d.raw");
    CliRunner r = CliRunner.run("build-disk", "--root", root().toString(), "-o", disk.toString(),
        "--cloud-config", config.toString(), "--work", tmp.resolve("work").toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("must start with '#cloud-config', starts with 'users: []'");
    assertThat(disk).doesNotExist();
  }

  @Test
  void formatVhdWritesTheDiskWithAFooterQemuImgReads() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-img missing (qemu-utils)");
    Path vhd = tmp.resolve("kairos.vhd");
    CliRunner r = CliRunner.run("build-disk", "--root", root().toString(), "-o", vhd.toString(), "--format", "vhd",
        "--work", tmp.resolve("work").toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode n = JSON.readTree(r.out());
    assertThat(n.get("size").asLong()).isEqualTo(Files.size(vhd)).matches(size -> size % (1 << 20) == 512);
    Process p = new ProcessBuilder("qemu-img", "info", "-f", "vpc", "--output=json", vhd.toString())
        .redirectErrorStream(true).start();
    JsonNode info = JSON.readTree(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).isZero();
    assertThat(info.get("format").asString()).isEqualTo("vpc");
    assertThat(info.get("virtual-size").asLong()).isEqualTo(Files.size(vhd) - 512);

    CliRunner bad = CliRunner.run("build-disk", "--root", root().toString(), "-o", vhd.toString(), "--format", "qcow2");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("'qcow2': not one of raw, vhd, gce");
  }
}
