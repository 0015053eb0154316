package dev.kairos.factory.boot.internal.iso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.boot.api.squashfs.SquashfsOptions;
import dev.kairos.factory.boot.api.squashfs.SquashfsWriter;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.io.IOException;
import java.nio.file.Files;
import java.util.stream.Stream;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.Artifact;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AuroraBoot layout checks of the spec, with xorriso, fsck.fat, grub-script-check and unsquashfs as referees. */
class LiveIsoIT {
  private static final Duration T = Duration.ofMinutes(1);
  private static final String CONFIG = "#cloud-config\nusers:\n- name: kairos\n";

  @TempDir
  static Path work;
  static RootFs root;
  static Path iso;

  @BeforeAll
  static void build() throws Exception {
    assumeTrue(HostCommand.available("xorriso") && HostCommand.available("grub-mkimage")
        && HostCommand.available("unsquashfs") && HostCommand.available("fsck.fat"), "host tools missing");
    root = RootFs.at(Files.createDirectory(work.resolve("rootfs")));
    byte[] kernel = new byte[2_000_000];
    new Random(1).nextBytes(kernel);
    root.write(ImagePath.of("/boot/vmlinuz-6.1.0-test"), kernel);
    root.write(ImagePath.of("/boot/initrd.img-6.1.0-test"), "initrd".getBytes());
    root.createSymlink(ImagePath.of("/boot/vmlinuz"), "vmlinuz-6.1.0-test");
    root.writeString(ImagePath.of("/etc/kairos-release"), "KAIROS_FLAVOR=debian\nGRUB_ENTRY_NAME=\"Kairos Test\"\n");
    root.writeString(ImagePath.of("/usr/bin/immucore"), "#!/bin/sh\n");
    iso = work.resolve("kairos.iso");
    live(work.resolve("w1"), iso).write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))), EventListener.NONE);
  }

  private static LiveIso live(Path workDir, Path out) {
    return LiveIso.to(out).options(BootMediaOptions.builder().workDirectory(workDir).cloudConfig(CONFIG).build());
  }

  private static String sh(String script) throws Exception {
    Path out = work.resolve("sh.out");
    HostCommand.run(List.of("sh", "-c", "(" + script + ") > " + out + " 2>&1"), T);
    return Files.readString(out);
  }

  @Test
  void treeMatchesAuroraBootLayout() throws Exception {
    String files = sh("xorriso -indev " + iso + " -find / -type f");
    for (String f : List.of("/boot/kernel", "/boot/initrd", "/boot/uefi.img", "/boot/eltorito.img",
        "/boot/boot_hybrid.img", "/boot/grub2/grub.cfg", "/boot/grub/grub.cfg", "/EFI/BOOT/grub.cfg",
        "/rootfs.squashfs", "/config.yaml")) {
      assertThat(files).contains("'" + f + "'");
    }
    assertThat(files).doesNotContain("boot.catalog");
    Path x = Files.createDirectories(work.resolve("x"));
    sh("cd " + x + " && xorriso -osirrox on -indev " + iso + " -extract / .");
    assertThat(Files.mismatch(x.resolve("boot/kernel"), root.hostPath(ImagePath.of("/boot/vmlinuz"), true))).isEqualTo(-1L);
    assertThat(Files.readString(x.resolve("config.yaml"))).isEqualTo(CONFIG);
    for (String cfg : List.of("boot/grub2/grub.cfg", "boot/grub/grub.cfg", "EFI/BOOT/grub.cfg")) {
      sh("grub-script-check " + x.resolve(cfg));
    }
    assertThat(Files.readString(x.resolve("boot/grub/grub.cfg"))).contains("search --no-floppy --file --set=root /boot/kernel");
    String menu = Files.readString(x.resolve("boot/grub2/grub.cfg"));
    assertThat(menu).contains("menuentry \"Kairos Test\"").contains("root=live:CDLABEL=COS_LIVE")
        .contains("rd.live.squashimg=rootfs.squashfs");
    int first = menu.indexOf("menuentry");
    assertThat(menu.substring(first, menu.indexOf("}", first))).contains("install-mode");

    Path uefi = x.resolve("boot/uefi.img");
    sh("fsck.fat -n " + uefi);
    assertThat(Files.size(uefi) % (4 << 20)).isZero();
    assertThat(sh("blkid -p " + uefi)).contains("LABEL=\"EFI_LIVE\"");
    assertThat(sh("MTOOLS_SKIP_CHECK=1 mdir -i " + uefi + " ::/EFI/BOOT")).containsIgnoringCase("BOOTX64  EFI").containsIgnoringCase("grub");

    String sq = sh("unsquashfs -s " + x.resolve("rootfs.squashfs") + "; unsquashfs -l " + x.resolve("rootfs.squashfs"));
    assertThat(sq).contains("Compression zstd").contains("Block size 1048576")
        .contains("squashfs-root/etc/kairos-release").contains("squashfs-root/usr/bin/immucore");
    assertThat(sh("cd " + work + " && sha256sum -c kairos.iso.sha256")).contains("kairos.iso: OK");
  }

  @Test
  void bootsAsCdAndAsDiskOnPaper() throws Exception {
    String r = sh("xorriso -indev " + iso + " -report_el_torito plain -report_system_area plain");
    assertThat(r).containsPattern("El Torito img path : +1 +/boot/eltorito.img")
        .containsPattern("El Torito img opts : +1 +boot-info-table grub2-boot-info")
        .containsPattern("El Torito boot img : +2 +UEFI")
        .contains("grub2-mbr").containsPattern("GPT type GUID +: +2 +28732ac11ff8d211ba4b00a0c93ec93b");
    assertThat(sh("blkid -p " + iso)).contains("LABEL=\"COS_LIVE\"").contains("PTTYPE=\"gpt\"");
  }

  @Test
  void withDefaultOptionsItsOwnWorkAreaBesideTheOutputIsGoneAfterwards() throws Exception {
    Path dir = Files.createDirectories(work.resolve("defaults"));
    Path out = dir.resolve("k.iso");
    Artifact a = LiveIso.to(out).write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))),
        EventListener.NONE);
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("k.iso", "k.iso.sha256");
    }
    assertThat(a.kind()).isEqualTo(ArtifactKind.ISO);
    assertThat(a.size()).isEqualTo(Files.size(out));
    assertThat(Files.readString(dir.resolve("k.iso.sha256")))
        .isEqualTo(a.digest().orElseThrow().substring("sha256:".length()) + "  k.iso\n");
  }

  @Test
  void theSquashfsMadeInPlaceIsTheBytesTheWriterMakesAsAFile() throws Exception {
    Path x = Files.createDirectories(work.resolve("in-place"));
    sh("cd " + x + " && xorriso -osirrox on -indev " + iso + " -extract /rootfs.squashfs rootfs.squashfs");
    Path alone = work.resolve("alone.squashfs");
    BootMediaOptions.DEFAULTS.squashfsFor(SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))).write(root, alone);
    assertThat(Files.size(x.resolve("rootfs.squashfs"))).isEqualTo(Files.size(alone));
    assertThat(Files.mismatch(x.resolve("rootfs.squashfs"), alone)).isEqualTo(-1L);
  }

  @Test
  void aSquashfsWriterThatOnlyWritesFilesGivesTheSameIsoAsTheOneMadeInPlace() throws Exception {
    // any writer but the Java one makes a file that is copied in: the way every ISO was made before
    SquashfsWriter inJava = BootMediaOptions.DEFAULTS.squashfsFor(SourceDate.of(Instant.parse("2025-01-01T00:00:00Z")));
    SquashfsWriter viaFile = new SquashfsWriter() {
      @Override
      public void write(RootFs r, Path output) throws IOException {
        inJava.write(r, output);
      }

      @Override
      public SquashfsOptions options() {
        return inJava.options();
      }
    };
    Path copied = work.resolve("copied.iso");
    LiveIso.to(copied).options(BootMediaOptions.builder().workDirectory(work.resolve("w3")).cloudConfig(CONFIG)
        .squashfs(viaFile).build())
        .write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))), EventListener.NONE);
    assertThat(Files.exists(work.resolve("w3/rootfs.squashfs"))).isTrue();
    assertThat(Files.mismatch(iso, copied)).isEqualTo(-1L);
  }

  @Test
  void secondBuildIsByteIdentical() throws Exception {
    Path again = work.resolve("again.iso");
    live(work.resolve("w2"), again).write(BuiltImage.of(root, SourceDate.of(Instant.parse("2025-01-01T00:00:00Z"))), EventListener.NONE);
    assertThat(Files.mismatch(iso, again)).isEqualTo(-1L);
  }
}
