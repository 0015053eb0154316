package dev.kairos.factory.boot.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

  @Test
  void partitionsLabelsAndFirstBootFiles() throws Exception {
    assumeTrue(HostCommand.available("sfdisk") && HostCommand.available("mke2fs") && HostCommand.available("grub-mkimage")
        && HostCommand.available("debugfs"), "host tools missing");
    RootFs root = RootFs.at(Files.createDirectory(work.resolve("rootfs")));
    root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\n");
    root.writeString(ImagePath.of("/etc/cos/grub.cfg"), "set timeout=10\n");
    Path disk = work.resolve("kairos.raw");
    RawDisk.builder(root).workDirectory(work.resolve("w")).build().writeTo(disk);

    String dump = sh("sfdisk -d " + disk);
    assertThat(dump).contains("label: gpt").contains("label-id: 2CEFF841-4C1D-5A14-8E46-ED3AEB621093")
        .containsPattern("start= +2048, size= +131072, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B,"
            + " uuid=81444E82-66B3-5ED2-961B-497665F12BE2, name=\"efi\"")
        .containsPattern("uuid=8BFA06F9-CA4F-56DC-90C9-49CF20F4F45E, name=\"oem\"")
        .containsPattern("uuid=768FBD69-B2A9-5EAB-902C-DB8745B4767C, name=\"recovery\"");
    // recovery = 2 x (rootfs + 200 MiB) + 150 MiB; disk = 1 + 64 + 64 + recovery + 1 MiB
    assertThat(Files.size(disk)).isEqualTo((1 + 64 + 64 + 2 * 201 + 150 + 1) * (1L << 20));

    sh("dd if=" + disk + " of=" + work.resolve("esp") + " bs=1M skip=1 count=64 status=none");
    sh("dd if=" + disk + " of=" + work.resolve("oem") + " bs=1M skip=65 count=64 status=none");
    sh("dd if=" + disk + " of=" + work.resolve("rec") + " bs=1M skip=129 count=552 status=none");
    sh("fsck.fat -n " + work.resolve("esp"));
    assertThat(sh("blkid -p " + work.resolve("esp"))).contains("LABEL=\"COS_GRUB\"");
    assertThat(sh("MTOOLS_SKIP_CHECK=1 mtype -i " + work.resolve("esp") + " ::/EFI/BOOT/grub.cfg"))
        .contains("--label --set=root COS_RECOVERY").contains("configfile ($root)/etc/cos/grub.cfg");
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
}
