package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import dev.kairos.factory.examples.cli.CliRunner;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The main job for arm64 on this amd64 machine: {@code build} from the cached arm64 Debian base
 * (every command in the image under qemu-user: apt, the kernel {@code linux-image-arm64}, dracut)
 * with the marker stage extension, to an OCI layout, an EFI-only live ISO and an EFI raw disk;
 * then the ISO boots under {@code qemu-system-aarch64 -machine virt -cpu cortex-a72} with AAVMF
 * and no KVM to the marker. The raw disk is read, not booted: its recovery system mounts its root
 * with immucore, from the Kairos framework, which the main job does not install (booted, it waits
 * for {@code COS_SYSTEM} and reboots). Emulated twice over (the build's commands, then the whole
 * machine): a cold build takes tens of minutes, so it is in the {@code slow} profile; the step
 * cache makes a rerun's build take minutes.
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Arm64MainJobIT {
  static MainJob job;
  static JsonNode result;
  static Path root;

  @BeforeAll
  static void build() throws Exception {
    DebianFixture.assumeArm64();
    long t0 = System.nanoTime();
    job = MainJob.build(Architecture.ARM64, "--iso", "kairos.iso", "--disk", "kairos.raw");
    System.out.printf("Arm64MainJobIT: build %d s%n", (System.nanoTime() - t0) / 1_000_000_000L);
    result = job.result;
    // each step's time (restored steps say so): the cost of emulation, step by step, for the benchmark
    System.out.println("Arm64MainJobIT: steps " + result.get("steps"));
    root = Path.of(result.get("rootfs").asString());
  }

  @AfterAll
  static void clean() throws Exception {
    if (job != null) {
      job.close();
    }
  }

  @Test
  @Order(1)
  void theImageIsArm64WithItsKernelInitrdAndGrub() throws Exception {
    assertThat(result.get("name").asString()).isEqualTo("kairos-debian-12-core-arm64-generic-v1.0.0");
    assertThat(result.get("release").get("KAIROS_ARCH").asString()).isEqualTo("arm64");
    assertThat(root.resolve("etc/kairos-release")).content().contains("KAIROS_ARCH=\"arm64\"");
    // Links in the image are absolute: look at them, not through them.
    String kernel = Files.readSymbolicLink(root.resolve("boot/vmlinuz")).toString();
    assertThat(kernel).endsWith("-arm64");
    assertThat(Files.exists(root.resolve("boot/initrd"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(root.resolve("var/lib/dpkg/info/linux-image-arm64.list")).exists();
    assertThat(root.resolve("usr/lib/grub/arm64-efi/linux.mod")).exists();
    assertThat(root.resolve("etc/systemd/system/multi-user.target.wants/kairos-e2e-marker.service"))
        .satisfies(p -> assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).isTrue());
  }

  @Test
  @Order(2)
  void theEfiMediaBootAa64LoadersAndTheHostMakesGrubFromTheImagesModules() throws Exception {
    // the build's raw disk: the image's own signed shim as BOOTAA64.EFI, its GRUB beside it
    Path disk = job.out.resolve("kairos.raw");
    assertThat(MainJobIT.host("sfdisk", "--json", disk.toString())).contains("\"name\": \"efi\"", "\"name\": \"recovery\"");
    assertThat(MainJobIT.host("mdir", "-b", "-i", disk + "@@1M", "::/EFI/BOOT"))
        .contains("::/EFI/BOOT/BOOTAA64.EFI", "::/EFI/BOOT/shimaa64.efi", "::/EFI/BOOT/grubaa64.efi");
    assertThat(peMachine(espFile(disk, "grubaa64.efi"))).isEqualTo(0xaa64);

    // GRUB arm64-efi made by this (amd64) host's grub-mkimage from the image's /usr/lib/grub/arm64-efi
    Path hostGrubDisk = job.scratch.resolve("host-grub.raw");
    CliRunner disk2 = CliRunner.run("build-disk", "--root", root.toString(), "-o", hostGrubDisk.toString(),
        "--efi-loader", "host-grub", "--work", job.scratch.resolve("disk-work").toString(), "--json");
    assertThat(disk2.exit()).as(disk2.err()).isZero();
    assertThat(MainJobIT.host("mdir", "-b", "-i", hostGrubDisk + "@@1M", "::/EFI/BOOT")).contains("::/EFI/BOOT/BOOTAA64.EFI")
        .doesNotContain("shim");
    assertThat(peMachine(espFile(hostGrubDisk, "BOOTAA64.EFI"))).isEqualTo(0xaa64);
    Files.delete(hostGrubDisk);
  }

  /** Copies {@code EFI/BOOT/name} out of the disk's ESP (at 1 MiB) and returns its bytes. */
  private static byte[] espFile(Path disk, String name) throws Exception {
    Path out = job.scratch.resolve("esp-" + name);
    Files.deleteIfExists(out);
    MainJobIT.host("mcopy", "-i", disk + "@@1M", "::/EFI/BOOT/" + name, out.toString());
    return Files.readAllBytes(out);
  }

  /** The machine field of a PE file's COFF header (0xaa64 for arm64, 0x8664 for x86_64). */
  private static int peMachine(byte[] pe) {
    int lfanew = (pe[0x3c] & 0xff) | (pe[0x3d] & 0xff) << 8 | (pe[0x3e] & 0xff) << 16 | (pe[0x3f] & 0xff) << 24;
    assertThat(new String(pe, lfanew, 4, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("PE\0\0");
    return (pe[lfanew + 4] & 0xff) | (pe[lfanew + 5] & 0xff) << 8;
  }

  @Test
  @Order(3)
  void theIsoBootsUnderAavmfToTheMarker() throws Exception {
    Path work = Scratch.create("arm64-boot");
    try {
      QemuBoot.Result r = MainJob.assertBootsToMarker(Architecture.ARM64,
          QemuBoot.builder(work).cdrom(job.iso()), Duration.ofMinutes(40));
      System.out.println("Arm64MainJobIT: ISO boot " + r);
    } finally {
      Scratch.delete(work);
    }
  }
}
