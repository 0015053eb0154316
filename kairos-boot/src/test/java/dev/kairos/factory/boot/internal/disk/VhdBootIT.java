package dev.kairos.factory.boot.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Azure VHD boots as the raw disk does: the same recovery root as {@link RawDiskBootIT}, written
 * as {@link RawDisk.Format#VHD}, attached to QEMU as format {@code vpc} (so QEMU reads the footer
 * and exposes the disk without it, as Hyper-V does) and booted under OVMF, as an Azure Gen2 VM
 * boots, to the recovery system. One boot (software emulation is slow); its time is printed.
 */
class VhdBootIT {
  private static Path scratch;
  private static RootFs root;

  @BeforeAll
  static void prepare() throws Exception {
    DebianFixture.assumeUsable();
    assumeTrue(QemuBoot.available(false), "qemu or OVMF missing");
    assumeTrue(HostCommand.available("mke2fs") && HostCommand.available("grub-mkimage"), "e2fsprogs or grub missing");
    scratch = Scratch.create("vhd-boot");
    root = RawDiskBootIT.recoveryRootfs(scratch.resolve("rootfs"));
  }

  @AfterAll
  static void clean() throws Exception {
    if (scratch != null) {
      Scratch.delete(scratch);
    }
  }

  @Test
  void vhdBootsTheRecoverySystemUnderOvmf() throws Exception {
    Path vhd = scratch.resolve("kairos.vhd");
    Artifact a = RawDisk.to(vhd).format(RawDisk.Format.VHD)
        .options(BootMediaOptions.builder().efiLoader(EfiLoader.HOST_GRUB).workDirectory(scratch.resolve("work")).build())
        .write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))), EventListener.NONE);
    assertThat(a.size() % (1 << 20)).isEqualTo(512);

    QemuBoot.Result r = QemuBoot.builder(scratch.resolve("ovmf")).disk(vhd, "vpc").marker(RawDiskBootIT.MARKER)
        .failOn("FATAL:").failOn("Failed to mount").failOn("emergency mode")
        .timeout(Duration.ofMinutes(5)).memoryMiB(2048).build().run();
    System.out.println("VhdBootIT: " + r);
    assertThat(r.outcome()).as(r + "\n" + r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    String log = r.log();
    String line = log.substring(log.lastIndexOf("RECOVERY label=", log.indexOf(RawDiskBootIT.MARKER))).lines()
        .findFirst().orElseThrow();
    assertThat(line).contains("label=COS_SYSTEM").contains("img=/run/initramfs/cos-state/cOS/recovery.img")
        .contains("grubenv=next_entry= ");
  }
}
