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
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sfdisk, fsck.fat, e2fsck, debugfs and grub-editenv check the recovery-first raw disk. */
class RawDiskIT {
  @TempDir
  Path work;

  private String sh(String script) throws Exception {
    Path out = work.resolve("sh.out");
    HostCommand.run(List.of("sh", "-c", "(" + script + ") > " + out + " 2>&1"), Duration.ofMinutes(2));
    return Files.readString(out);
  }

  private Path build(RawDisk.Firmware firmware) throws Exception {
    return build(firmware, "kairos-" + firmware + ".raw");
  }

  private Path build(RawDisk.Firmware firmware, String name) throws Exception {
    return build(firmware, name, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z")));
  }

  private Path build(RawDisk.Firmware firmware, String name, SourceDate date) throws Exception {
    assumeTrue(HostCommand.available("sfdisk") && HostCommand.available("mke2fs") && HostCommand.available("grub-mkimage")
        && HostCommand.available("debugfs"), "host tools missing");
    RootFs root = RootFs.at(Files.createDirectories(work.resolve("rootfs")));
    root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\n");
    root.writeString(ImagePath.of("/etc/cos/grub.cfg"), "set timeout=10\n");
    root.writeString(ImagePath.of("/boot/vmlinuz"), "kernel");
    root.writeString(ImagePath.of("/boot/initrd"), "initrd");
    Path disk = work.resolve(name);
    RawDisk.to(disk).firmware(firmware).options(BootMediaOptions.builder().workDirectory(work.resolve("w")).build())
        .write(BuiltImage.of(root, date), EventListener.NONE);
    return disk;
  }

  /** Checks OEM and recovery, which start at {@code oemMiB}, as both variants have them. */
  private void checkOemAndRecovery(Path disk, long oemMiB) throws Exception {
    sh("dd if=" + disk + " of=" + work.resolve("oem") + " bs=1M skip=" + oemMiB + " count=64 status=none");
    sh("dd if=" + disk + " of=" + work.resolve("rec") + " bs=1M skip=" + (oemMiB + 64) + " count=552 status=none");
    for (String p : List.of("oem", "rec")) {
      sh("e2fsck -fn " + work.resolve(p));
    }
    assertThat(sh("blkid -p " + work.resolve("oem"))).contains("LABEL=\"COS_OEM\"").contains("TYPE=\"ext2\"");
    assertThat(sh("blkid -p " + work.resolve("rec"))).contains("LABEL=\"COS_RECOVERY\"");
    sh("debugfs -R 'dump /grubenv " + work.resolve("grubenv") + "' " + work.resolve("oem"));
    assertThat(Files.size(work.resolve("grubenv"))).isEqualTo(1024);
    assertThat(sh("grub-editenv " + work.resolve("grubenv") + " list")).contains("next_entry=recovery");
    assertThat(sh("debugfs -R 'ls /' " + work.resolve("oem"))).contains("01_reset.yaml").contains("90_custom.yaml");
    assertThat(sh("debugfs -R 'cat /etc/cos/grub.cfg' " + work.resolve("rec"))).contains("set timeout=10");
    sh("debugfs -R 'dump /cOS/recovery.img " + work.resolve("sys") + "' " + work.resolve("rec"));
    assertThat(sh("dumpe2fs -h " + work.resolve("sys"))).contains("COS_SYSTEM");
    assertThat(sh("debugfs -R 'cat /etc/os-release' " + work.resolve("sys"))).contains("ID=debian");
  }

  @Test
  void partitionsLabelsAndFirstBootFiles() throws Exception {
    Path disk = build(RawDisk.Firmware.EFI);

    String dump = sh("sfdisk -d " + disk);
    assertThat(dump).contains("label: gpt").contains("label-id: 2CEFF841-4C1D-5A14-8E46-ED3AEB621093")
        .containsPattern("start= +2048, size= +131072, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B,"
            + " uuid=81444E82-66B3-5ED2-961B-497665F12BE2, name=\"efi\"")
        .containsPattern("uuid=8BFA06F9-CA4F-56DC-90C9-49CF20F4F45E, name=\"oem\"")
        .containsPattern("uuid=768FBD69-B2A9-5EAB-902C-DB8745B4767C, name=\"recovery\"");
    // recovery = 2 x (rootfs + 200 MiB) + 150 MiB; disk = 1 + 64 + 64 + recovery + 1 MiB
    assertThat(Files.size(disk)).isEqualTo((1 + 64 + 64 + 2 * 201 + 150 + 1) * (1L << 20));

    sh("dd if=" + disk + " of=" + work.resolve("esp") + " bs=1M skip=1 count=64 status=none");
    sh("fsck.fat -n " + work.resolve("esp"));
    assertThat(sh("blkid -p " + work.resolve("esp"))).contains("LABEL=\"COS_GRUB\"");
    assertThat(sh("MTOOLS_SKIP_CHECK=1 mtype -i " + work.resolve("esp") + " ::/EFI/BOOT/grub.cfg"))
        .contains("--label --set=root COS_RECOVERY").contains("configfile ($root)/etc/cos/grub.cfg");
    checkOemAndRecovery(disk, 65);
    assertThat(sh("debugfs -R 'ls /' " + work.resolve("rec"))).doesNotContain("grub2");
  }

  @Test
  void biosBootPartitionAndMbrPointAtGrubsCore() throws Exception {
    Path disk = build(RawDisk.Firmware.BIOS);

    String dump = sh("sfdisk -d " + disk);
    assertThat(dump).contains("label: gpt")
        .containsPattern("start= +2048, size= +2048, type=21686148-6449-6E6F-744E-656564454649,"
            + " uuid=81444E82-66B3-5ED2-961B-497665F12BE2, name=\"bios\", attrs=\"RequiredPartition LegacyBIOSBootable\"")
        .containsPattern("start= +4096, size= +131072, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4,"
            + " uuid=8BFA06F9-CA4F-56DC-90C9-49CF20F4F45E, name=\"oem\"")
        .containsPattern("uuid=768FBD69-B2A9-5EAB-902C-DB8745B4767C, name=\"recovery\"");
    assertThat(Files.size(disk)).isEqualTo((1 + 1 + 64 + 2 * 201 + 150 + 1) * (1L << 20));

    // The MBR is GRUB's boot.img, pointed at the core's first sector (LBA 2048, field at 0x5c)
    // and keeping the protective partition; the core's block list covers the rest of it.
    byte[] mbr = new byte[512];
    byte[] first = new byte[512];
    try (var ch = java.nio.channels.FileChannel.open(disk)) {
      ch.read(java.nio.ByteBuffer.wrap(mbr), 0);
      ch.read(java.nio.ByteBuffer.wrap(first), 2048L * 512);
    }
    byte[] bootImg = Files.readAllBytes(Path.of("/usr/lib/grub/i386-pc/boot.img"));
    assertThat(java.util.Arrays.copyOfRange(mbr, 0, 0x5c)).isEqualTo(java.util.Arrays.copyOfRange(bootImg, 0, 0x5c));
    var le = java.nio.ByteOrder.LITTLE_ENDIAN;
    assertThat(java.nio.ByteBuffer.wrap(mbr).order(le).getLong(0x5c)).isEqualTo(2048);
    assertThat(mbr[0x1c2] & 0xff).as("protective MBR type").isEqualTo(0xee);
    long coreBytes = Files.size(work.resolve("w/core.img"));
    byte[] core = Files.readAllBytes(work.resolve("w/core.img"));
    assertThat(java.util.Arrays.copyOfRange(first, 0, 0x1f4)).isEqualTo(java.util.Arrays.copyOfRange(core, 0, 0x1f4));
    var list = java.nio.ByteBuffer.wrap(first).order(le);
    assertThat(list.getLong(0x1f4)).isEqualTo(2049);
    assertThat(list.getShort(0x1f4 + 8)).isEqualTo((short) ((coreBytes + 511) / 512 - 1));
    assertThat(list.getShort(0x1f4 + 10)).isEqualTo((short) 0x820);
    sh("dd if=" + disk + " of=" + work.resolve("bios") + " bs=512 skip=2048 count=" + (coreBytes + 511) / 512 + " status=none");
    assertThat(java.util.Arrays.copyOfRange(Files.readAllBytes(work.resolve("bios")), 512, (int) coreBytes))
        .isEqualTo(java.util.Arrays.copyOfRange(core, 512, (int) coreBytes));

    checkOemAndRecovery(disk, 2);
    assertThat(sh("debugfs -R 'cat /grub2/grub.cfg' " + work.resolve("rec")))
        .contains("--label --set=root COS_RECOVERY").contains("configfile ($root)/etc/cos/grub.cfg");
  }

  @Test
  void secondBuildIsByteIdentical() throws Exception {
    Path first = build(RawDisk.Firmware.EFI, "first.raw");
    // Files newer than the source date, written a second later: their times must not show.
    Thread.sleep(1100);
    RootFs.at(work.resolve("rootfs")).writeString(ImagePath.of("/etc/hostname"), "kairos\n");
    Path firstAgain = build(RawDisk.Firmware.EFI, "first-again.raw");
    Thread.sleep(1100);
    RootFs.at(work.resolve("rootfs")).writeString(ImagePath.of("/etc/hostname"), "kairos\n");
    Path second = build(RawDisk.Firmware.EFI, "second.raw");
    assertThat(Files.mismatch(firstAgain, second)).as("first differing byte").isEqualTo(-1);
    assertThat(Files.mismatch(first, second)).as("the rootfs changed").isNotEqualTo(-1);
    sh("dd if=" + second + " of=" + work.resolve("rec") + " bs=1M skip=129 count=552 status=none");
    sh("debugfs -R 'dump /cOS/recovery.img " + work.resolve("sys") + "' " + work.resolve("rec"));
    sh("e2fsck -fn " + work.resolve("sys"));
    assertThat(sh("debugfs -R 'stat /etc/hostname' " + work.resolve("sys")))
        .contains("ctime: 0x67748580:00000000").contains("mtime: 0x67748580:00000000");
  }

  /** At the epoch (the date without SOURCE_DATE_EPOCH) mke2fs reads its fake clock as unset: still the same bytes. */
  @Test
  void twoBuildsAtTheEpochASecondApartAreByteIdentical() throws Exception {
    Path first = build(RawDisk.Firmware.EFI, "epoch-1.raw", SourceDate.of(Instant.EPOCH));
    Thread.sleep(1100);
    Path second = build(RawDisk.Firmware.EFI, "epoch-2.raw", SourceDate.of(Instant.EPOCH));
    assertThat(Files.mismatch(first, second)).as("first differing byte").isEqualTo(-1);
  }
}
