package dev.kairos.factory.boot.internal.fat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.api.gpt.GptDisk;
import dev.kairos.factory.boot.api.gpt.GptType;
import dev.kairos.factory.boot.it.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** dosfstools, mtools, blkid, sfdisk and sgdisk accept the FAT volumes and GPT disks we write. */
class FatGptIT {
  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(value = FatType.class, names = {"FAT16", "FAT32"})
  void fsckMtoolsAndBlkidAcceptTheVolume(FatType type) throws Exception {
    Exec.assumeTool("fsck.fat");
    Exec.assumeTool("mdir");
    Path big = dir.resolve("big.bin");
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new java.util.Random(7).nextBytes(data);
    Files.write(big, data);
    FatImage img = FatImageTest.sample(type).file("/EFI/kairos/norole.efi", big).build();
    img.writeTo(dir.resolve("fat.img"));
    assertThat(Files.size(dir.resolve("fat.img"))).isEqualTo(img.size());
    String fsck = Exec.sh(dir, "fsck.fat -n -V fat.img").ok().output();
    assertThat(fsck).doesNotContain("differ", "Dirty", "free cluster summary", "Orphan");
    String root = Exec.sh(dir, "MTOOLS_SKIP_CHECK=1 mdir -i fat.img ::/").ok().output();
    assertThat(root).contains("COS_GRUB").contains("EFI").contains("loader");
    String boot = Exec.sh(dir, "MTOOLS_SKIP_CHECK=1 mdir -i fat.img ::/EFI/BOOT").ok().output();
    assertThat(boot).contains("BOOTX64  EFI     13000 2024-05-06   7:08").contains("grub     cfg");
    String entries = Exec.sh(dir, "MTOOLS_SKIP_CHECK=1 mdir -i fat.img ::/loader/entries").ok().output();
    assertThat(entries).contains("A Very Long Entry Name-with.MixedCase.conf")
        .contains("a very long entry name-with.other.conf");
    Exec.sh(dir, "MTOOLS_SKIP_CHECK=1 mcopy -i fat.img ::/EFI/kairos/norole.efi out.efi").ok();
    assertThat(Files.readAllBytes(dir.resolve("out.efi"))).isEqualTo(data);
    Exec.sh(dir, "MTOOLS_SKIP_CHECK=1 mcopy -i fat.img '::/loader/entries/A Very Long Entry Name-with.MixedCase.conf' e.conf").ok();
    assertThat(Files.readString(dir.resolve("e.conf"))).isEqualTo("title x\n");
    String blkid = Exec.sh(dir, "blkid -p fat.img").ok().output();
    assertThat(blkid).contains("LABEL=\"COS_GRUB\"").contains("TYPE=\"vfat\"")
        .contains(type == FatType.FAT32 ? "VERSION=\"FAT32\"" : "VERSION=\"FAT16\"");
  }

  @Test
  void gptDiskWithTheEspIsValid() throws Exception {
    Exec.assumeTool("sfdisk");
    Exec.assumeTool("sgdisk");
    FatImage esp = FatImageTest.sample(FatType.FAT16).size(8L << 20).hiddenSectors(2048).build();
    GptDisk disk = GptDisk.builder()
        .add(GptDisk.partition("efi").type(GptType.ESP).size(esp.size()).content(esp))
        .add(GptDisk.partition("oem").size(2L << 20))
        .add(GptDisk.partition("persistent").size(0))
        .size(32L << 20)
        .build();
    disk.writeTo(dir.resolve("disk.raw"));
    String sfdisk = Exec.sh(dir, "sfdisk -d disk.raw").ok().output();
    assertThat(sfdisk).contains("label: gpt").contains("label-id: 2CEFF841-4C1D-5A14-8E46-ED3AEB621093")
        .contains("disk.raw1 : start=        2048, size=       16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B")
        .contains("name=\"efi\"").contains("name=\"oem\"").contains("name=\"persistent\"")
        .contains("last-lba: 65502");
    String verify = Exec.sh(dir, "sgdisk -v disk.raw").ok().output();
    assertThat(verify).contains("No problems found");
    Exec.sh(dir, "dd if=disk.raw of=p1.img bs=512 skip=2048 count=16384 status=none").ok();
    Exec.sh(dir, "fsck.fat -n p1.img").ok();
  }
}
