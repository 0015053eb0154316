package dev.kairos.factory.boot.api.iso;

import dev.kairos.factory.boot.api.fat.FatImage;
import dev.kairos.factory.core.api.SourceDate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * The Trusted Boot installer ISO (AuroraBoot's {@code build-uki -t iso}): volume
 * {@code UKI_ISO_INSTALL} holding {@code /efiboot.img}, a FAT volume with the (signed) UKI or
 * systemd-boot as {@code EFI/BOOT/BOOTX64.EFI} and any other ESP files, booted through a single
 * EFI El Torito entry. Unlike AuroraBoot's it also carries a GPT with that image as ESP, so it
 * boots written to a USB disk too. Keep both names: the installer finds the medium by them.
 *
 * <pre>{@code
 * UkiIso.builder()
 *     .bootloader(Path.of("systemd-bootx64.signed.efi"))
 *     .espFile("/EFI/kairos/norole.efi", Path.of("norole.signed.efi"))
 *     .espFile("/loader/loader.conf", Path.of("loader.conf"))
 *     .workDirectory(Path.of("/var/tmp/uki-iso"))
 *     .build()
 *     .writeTo(Path.of("kairos-uki.iso"));
 * }</pre>
 */
public final class UkiIso {
  public static final String VOLUME_ID = "UKI_ISO_INSTALL";

  private final FatImage efiboot;
  private final Path workDirectory;
  private final SourceDate sourceDate;

  private UkiIso(FatImage efiboot, Path workDirectory, SourceDate sourceDate) {
    this.efiboot = efiboot;
    this.workDirectory = workDirectory;
    this.sourceDate = sourceDate;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Writes {@code efiboot.img} into the work directory, then the ISO and its checksum file. */
  public void writeTo(Path iso) throws IOException {
    Path img = Files.createDirectories(workDirectory).resolve("efiboot.img");
    efiboot.writeTo(img);
    IsoImage.builder().volumeId(VOLUME_ID).sourceDate(sourceDate)
        .file("/efiboot.img", img)
        .efiBoot("/efiboot.img")
        .build().writeTo(iso);
    LiveIso.writeChecksum(iso);
  }

  /** The ESP content and where to stage it. */
  public static final class Builder {
    private final FatImage.Builder fat = FatImage.builder().label("UKI_ESP");
    private boolean hasBootloader;
    private Path workDirectory;
    private SourceDate sourceDate = SourceDate.of(Instant.EPOCH);

    private Builder() {}

    /** The EFI binary the firmware starts: {@code EFI/BOOT/BOOTX64.EFI} (a UKI or systemd-boot). */
    public Builder bootloader(Path efiBinary) throws IOException {
      fat.file("/EFI/BOOT/BOOTX64.EFI", efiBinary);
      hasBootloader = true;
      return this;
    }

    /** Any other file of the ESP, e.g. {@code /loader/loader.conf} or {@code /EFI/kairos/norole.efi}. */
    public Builder espFile(String path, Path hostFile) throws IOException {
      fat.file(path, hostFile);
      return this;
    }

    /** A host directory for {@code efiboot.img}; required. */
    public Builder workDirectory(Path dir) {
      this.workDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    public Builder sourceDate(SourceDate date) {
      this.sourceDate = Objects.requireNonNull(date, "date");
      return this;
    }

    public UkiIso build() throws IOException {
      if (!hasBootloader) {
        throw new IllegalArgumentException("a UKI ISO needs the bootloader (EFI/BOOT/BOOTX64.EFI)");
      }
      if (workDirectory == null) {
        throw new IllegalArgumentException("a work directory is required (efiboot.img is staged there)");
      }
      return new UkiIso(fat.sourceDate(sourceDate).build(), workDirectory, sourceDate);
    }
  }
}
