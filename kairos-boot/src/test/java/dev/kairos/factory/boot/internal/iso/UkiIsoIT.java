package dev.kairos.factory.boot.internal.iso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.iso.UkiIso;
import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** xorriso, blkid and fsck.fat check the Trusted Boot installer ISO. */
class UkiIsoIT {
  private static final Path SYSTEMD_BOOT = Path.of("/usr/lib/systemd/boot/efi/systemd-bootx64.efi");

  @TempDir
  Path work;

  private String sh(String script) throws Exception {
    Path out = work.resolve("sh.out");
    HostCommand.run(List.of("sh", "-c", "(" + script + ") > " + out + " 2>&1"), Duration.ofMinutes(1));
    return Files.readString(out);
  }

  @Test
  void singleEfiEntryAndAnEspPartition() throws Exception {
    assumeTrue(HostCommand.available("xorriso") && Files.isRegularFile(SYSTEMD_BOOT), "xorriso or systemd-boot missing");
    Path conf = Files.writeString(work.resolve("loader.conf"), "timeout 5\nconsole-mode max\neditor no\nsecure-boot-enroll if-safe\n");
    Path iso = work.resolve("kairos-uki.iso");
    UkiIso.to(iso).bootloader(SYSTEMD_BOOT).espFile("/loader/loader.conf", conf)
        .options(BootMediaOptions.builder().workDirectory(work.resolve("w")).build())
        .write(BuiltImage.of(RootFs.at(work), SourceDate.of(java.time.Instant.EPOCH)), EventListener.NONE);

    String r = sh("xorriso -indev " + iso + " -report_el_torito plain -report_system_area plain");
    assertThat(r).contains("Volume id    : 'UKI_ISO_INSTALL'")
        .containsPattern("El Torito boot img : +1 +UEFI +y +none")
        .containsPattern("El Torito img path : +1 +/efiboot.img")
        .doesNotContainPattern("El Torito boot img : +2")
        .containsPattern("GPT type GUID +: +2 +28732ac11ff8d211ba4b00a0c93ec93b");
    assertThat(sh("blkid -p " + iso)).contains("LABEL=\"UKI_ISO_INSTALL\"");
    Path img = work.resolve("efiboot.img");
    sh("xorriso -osirrox on -indev " + iso + " -extract /efiboot.img " + img);
    sh("fsck.fat -n " + img);
    assertThat(sh("MTOOLS_SKIP_CHECK=1 mtype -i " + img + " ::/loader/loader.conf")).isEqualTo(Files.readString(conf));
    assertThat(sh("cd " + work + " && sha256sum -c kairos-uki.iso.sha256")).contains("OK");
  }
}
