package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
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
 * and no KVM to the marker. Emulated twice over (the build's commands, then the whole machine):
 * a cold build takes tens of minutes, so it is in the {@code slow} profile; the step cache makes a
 * rerun's build take minutes.
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
