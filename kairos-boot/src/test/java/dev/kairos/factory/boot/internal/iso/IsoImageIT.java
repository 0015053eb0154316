package dev.kairos.factory.boot.internal.iso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.iso.IsoImage;
import dev.kairos.factory.boot.internal.fat.FatImage;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.SourceDate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** xorriso, blkid and sfdisk are the referees for the ISO 9660 writer. */
class IsoImageIT {
  private static final Duration T = Duration.ofMinutes(1);

  @TempDir
  static Path work;
  static Path iso;
  static byte[] big;

  @BeforeAll
  static void build() throws Exception {
    assumeTrue(HostCommand.available("xorriso") && HostCommand.available("grub-mkimage"), "xorriso or grub missing");
    Path eltorito = work.resolve("eltorito.img");
    HostCommand.run(List.of("grub-mkimage", "-O", "i386-pc-eltorito", "-p", "/boot/grub2", "-o", eltorito.toString(),
        "biosdisk", "iso9660", "normal", "configfile", "search"), T);
    Path uefi = work.resolve("uefi.img");
    FatImage.builder().label("EFI_LIVE").sourceDate(SourceDate.of(Instant.EPOCH))
        .file("/EFI/BOOT/grub.cfg", "configfile /boot/grub2/grub.cfg\n".getBytes(StandardCharsets.UTF_8))
        .build().writeTo(uefi);
    big = new byte[3_000_001];
    new Random(7).nextBytes(big);
    Path bigFile = work.resolve("big");
    Files.write(bigFile, big);
    iso = work.resolve("t.iso");
    builder(eltorito, bigFile).file("/boot/uefi.img", uefi).file("/rootfs.squashfs", bigFile).build().writeTo(iso);
  }

  /** The image's tree but for {@code /boot/uefi.img} and {@code /rootfs.squashfs}. */
  private static IsoImage.Builder builder(Path eltorito, Path bigFile) throws Exception {
    return IsoImage.builder().volumeId("COS_LIVE").sourceDate(SourceDate.of(Instant.parse("2025-06-01T12:00:00Z")))
        .file("/boot/eltorito.img", eltorito)
        .file("/boot/grub2/grub.cfg", "set timeout=1\n".getBytes(StandardCharsets.UTF_8))
        .file("/usr/bin/tool", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8))
        .file("/usr/bin/run.sh", bigFile, 0755)
        .file("/a/" + "long-name-".repeat(20) + ".conf", "x".getBytes(StandardCharsets.UTF_8))
        .file("/a/Mixed.Case.name.tar.gz", new byte[0])
        .file("/a/mixed.case.NAME.tar.gz", "y".getBytes(StandardCharsets.UTF_8))
        .symlink("/a/link", "../usr/bin/tool")
        .symlink("/a/abs", "/" + "very-long-component/".repeat(20) + "end")
        .directory("/empty/d1/d2/d3/d4/d5/d6/d7/d8/d9")
        .biosBoot("/boot/eltorito.img", Files.readAllBytes(Path.of("/usr/lib/grub/i386-pc/boot_hybrid.img")))
        .efiBoot("/boot/uefi.img");
  }

  private static String xorriso(String... args) throws Exception {
    return xorrisoReading("any", args);
  }

  /** xorriso on the ISO with {@code -read_fs mode}: {@code any} (Rock Ridge), {@code norock} (Joliet). */
  private static String xorrisoReading(String mode, String... args) throws Exception {
    Path out = work.resolve("xorriso.out");
    StringBuilder cmd = new StringBuilder("xorriso -abort_on FAILURE -read_fs " + mode + " -indev " + iso);
    for (String a : args) {
      cmd.append(' ').append(a);
    }
    HostCommand.run(List.of("sh", "-c", cmd + " > " + out + " 2>&1"), T);
    return Files.readString(out);
  }

  @Test
  void jolietTreeKeepsCaseAndLongNamesWithoutRockRidge() throws Exception {
    String find = xorrisoReading("norock", "-find / -exec lsdl");
    assertThat(find)
        .contains("'/rootfs.squashfs'", "'/boot/grub2/grub.cfg'", "'/usr/bin/run.sh'")
        .contains("'/a/Mixed.Case.name.tar.gz'", "'/a/mixed.case.NAME.tar.gz'")
        .contains("'/a/" + ("long-name-".repeat(20) + ".conf").substring(0, 64) + "'")
        .doesNotContain("'/a/link'", "'/a/abs'", "LONG_NAME")
        .contains("'/empty/d1/d2/d3/d4/d5/d6/d7/d8/d9'")
        .doesNotContainIgnoringCase("WARNING")
        .doesNotContain("SORRY");
    Path x = work.resolve("extracted-joliet");
    xorrisoReading("norock", "-osirrox on -extract /rootfs.squashfs " + x);
    assertThat(Files.readAllBytes(x)).isEqualTo(big);
  }

  @Test
  void xorrisoListsTheRockRidgeTree() throws Exception {
    String find = xorriso("-find / -exec lsdl");
    assertThat(find)
        .containsPattern("-rw-r--r-- +1 0 +0 +3000001 Jun  1  2025 '/rootfs.squashfs'")
        .containsPattern("-rwxr-xr-x +1 0 +0 +3000001 Jun  1  2025 '/usr/bin/run.sh'")
        .contains("'/a/" + "long-name-".repeat(20) + ".conf'")
        .contains("'/a/Mixed.Case.name.tar.gz'", "'/a/mixed.case.NAME.tar.gz'")
        .contains("'/a/link' -> '../usr/bin/tool'")
        .contains("'/a/abs' -> '/" + "very-long-component/".repeat(20) + "end'")
        .contains("'/empty/d1/d2/d3/d4/d5/d6/d7/d8/d9'")
        .doesNotContain("boot.catalog")
        .doesNotContainIgnoringCase("WARNING")
        .doesNotContain("SORRY");
    Path x = work.resolve("extracted");
    xorriso("-osirrox on -extract /rootfs.squashfs " + x);
    assertThat(Files.readAllBytes(x)).isEqualTo(big);
  }

  @Test
  void elToritoHasBiosAndEfiEntriesAndTheSystemAreaIsHybrid() throws Exception {
    String report = xorriso("-report_el_torito plain -report_system_area plain");
    assertThat(report)
        .contains("Volume id    : 'COS_LIVE'")
        .containsPattern("El Torito boot img : +1 +BIOS +y +none +0x0000 +0x00 +4 ")
        .containsPattern("El Torito img path : +1 +/boot/eltorito.img")
        .containsPattern("El Torito img opts : +1 +boot-info-table grub2-boot-info")
        .containsPattern("El Torito boot img : +2 +UEFI +y +none")
        .containsPattern("El Torito img path : +2 +/boot/uefi.img")
        .contains("grub2-mbr")
        .contains("GPT")
        .containsPattern("GPT type GUID +: +2 +28732ac11ff8d211ba4b00a0c93ec93b")
        .containsPattern("MBR partition +: +2 +0x80");
    String blkid = HostCommand.run(List.of("blkid", "-p", iso.toString()), T).outputTail();
    assertThat(blkid).contains("LABEL=\"COS_LIVE\"").contains("TYPE=\"iso9660\"").contains("PTTYPE=\"gpt\"");
    String sfdisk = HostCommand.run(List.of("sfdisk", "-d", iso.toString()), T).outputTail();
    assertThat(sfdisk).contains("label: gpt").contains("type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B")
        .doesNotContainIgnoringCase("warning");
  }

  @Test
  void filesMadeInPlaceGiveTheImageXorrisoRead() throws Exception {
    FatImage uefi = FatImage.builder().label("EFI_LIVE").sourceDate(SourceDate.of(Instant.EPOCH))
        .file("/EFI/BOOT/grub.cfg", "configfile /boot/grub2/grub.cfg\n".getBytes(StandardCharsets.UTF_8)).build();
    Path inPlace = work.resolve("in-place.iso");
    builder(work.resolve("eltorito.img"), work.resolve("big"))
        .file("/rootfs.squashfs", ch -> {
          java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(big);
          while (b.hasRemaining()) {
            ch.write(b);
          }
        })
        .file("/boot/uefi.img", uefi::writeTo)
        .build().writeTo(inPlace);
    assertThat(Files.mismatch(iso, inPlace)).isEqualTo(-1L);
  }

  @Test
  void secondWriteIsByteIdentical() throws Exception {
    Path again = work.resolve("again.iso");
    builder(work.resolve("eltorito.img"), work.resolve("big")).file("/boot/uefi.img", work.resolve("uefi.img"))
        .file("/rootfs.squashfs", work.resolve("big")).build().writeTo(again);
    assertThat(Files.mismatch(iso, again)).isEqualTo(-1L);
  }
}
