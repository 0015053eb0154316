package dev.kairos.factory.boot.api.netboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import dev.kairos.factory.boot.it.BusyboxInitrd;
import dev.kairos.factory.boot.it.DebianArm64Files;
import dev.kairos.factory.boot.it.QemuBoot;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The netboot set of an arm64 image, booted: a tiny arm64 root (Debian's arm64 kernel in
 * {@code /boot}, an initrd of Debian's static arm64 busybox whose {@code /init} writes a marker to
 * the kernel log) becomes a {@link NetbootSet}, and its kernel and initrd boot under
 * {@code qemu-system-aarch64 -machine virt -cpu cortex-a72} with AAVMF (TCG) with exactly the
 * command line the set wrote, as a boot loader fetching the set would start them. That the kernel
 * messages and the marker reach the PL011 proves the set's arm64 console ({@code ttyAMA0}); the
 * HTTP fetch of the squashfs by dracut's livenet is {@code NetbootBootIT}'s part on amd64 (on
 * arm64 it would be a full dracut boot under emulation).
 */
class Arm64NetbootBootIT {
  static final String MARKER = "KAIROS_ARM64_NETBOOT_OK";
  /** The end of the marker line: QEMU is stopped once the whole line is in the log. */
  static final String DONE = "NETBOOT_LINE_END";

  @TempDir
  static Path dir;
  static Path kernel;
  static NetbootSet.Files set;
  static String cmdline;

  @BeforeAll
  static void build() throws Exception {
    assumeTrue(QemuBoot.availableAarch64(), "qemu-system-aarch64 or AAVMF missing");
    kernel = DebianArm64Files.kernel();
    String release = kernel.getFileName().toString().substring("vmlinuz-".length());
    RootFs root = BusyboxInitrd.tree(MARKER, DebianArm64Files.busybox());
    // the kernel log goes to every console= of the line, so the marker shows where the set's consoles go
    root.createSpecial(ImagePath.of("/dev/kmsg"), FileMetadata.builder(FileType.CHAR_DEVICE).mode(0644).device(1, 11).build());
    root.write(ImagePath.of("/init"), ("#!/bin/sh\n"
        + "mount -t proc proc /proc\n"
        + "echo \"" + MARKER + " $(uname -m) $(cat /proc/cmdline) " + DONE + "\" > /dev/kmsg\n"
        + "poweroff -f\n").getBytes(StandardCharsets.US_ASCII), 0755);
    Path initrd = dir.resolve("initrd.zst");
    Initrd.builder(root).compression(InitrdCompression.ZSTD).level(3).build().writeTo(initrd);
    root.write(ImagePath.of("/boot/vmlinuz-" + release), Files.readAllBytes(kernel), 0644);
    root.createSymlink(ImagePath.of("/boot/vmlinuz"), "vmlinuz-" + release);
    root.write(ImagePath.of("/boot/initrd.img-" + release), Files.readAllBytes(initrd), 0644);
    NetbootSet target = NetbootSet.to(dir.resolve("netboot")).baseUrl("http://10.0.2.2:8090");
    target.write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))), EventListener.NONE);
    set = target.files();
    cmdline = Files.readString(set.cmdlineFile()).strip();
  }

  @Test
  void theSetsKernelInitrdAndCmdlineBootOnArm64() throws Exception {
    assertThat(Files.mismatch(set.kernel(), kernel)).as("the kernel as the image has it").isEqualTo(-1);
    assertThat(cmdline).contains("console=ttyAMA0").doesNotContain("ttyS0");
    QemuBoot.Result r = QemuBoot.builder(dir.resolve("qemu")).aarch64(true).kernel(set.kernel(), set.initrd(), cmdline)
        .marker(DONE).timeout(Duration.ofMinutes(8)).build().run();
    System.out.println("Arm64NetbootBootIT boot: " + r);
    assertThat(r.outcome()).as(r + "\n" + r.log()).isEqualTo(QemuBoot.Outcome.MARKER);
    String line = r.log().substring(r.log().indexOf(MARKER)).lines().findFirst().orElseThrow();
    assertThat(line).contains("aarch64").contains(cmdline);
  }
}
