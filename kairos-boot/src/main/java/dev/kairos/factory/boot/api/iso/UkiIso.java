package dev.kairos.factory.boot.api.iso;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.uki.SystemdBootLayout;
import dev.kairos.factory.boot.internal.fat.FatImage;
import dev.kairos.factory.boot.internal.io.TargetRun;
import dev.kairos.factory.boot.internal.io.WorkArea;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Trusted Boot installer ISO (AuroraBoot's {@code build-uki -t iso}), as an
 * {@link ArtifactTarget}: volume {@code UKI_ISO_INSTALL} holding {@code /efiboot.img}, a FAT volume
 * with the (signed) UKI or systemd-boot as {@code EFI/BOOT/BOOTX64.EFI} and any other ESP files,
 * booted through a single EFI El Torito entry. Unlike AuroraBoot's it also carries a GPT with that
 * image as ESP, so it boots written to a USB disk too. Keep both names: the installer finds the
 * medium by them. Of the image it takes only the source date (the ESP's files are given); of the
 * {@link BootMediaOptions}, the work directory and the source date.
 *
 * <pre>{@code
 * build.output(UkiIso.to(Path.of("kairos-uki.iso"))
 *     .bootloader(Path.of("systemd-bootx64.signed.efi"))
 *     .espFile("/EFI/kairos/norole.efi", Path.of("norole.signed.efi"))
 *     .espFile("/loader/loader.conf", Path.of("loader.conf")));
 * }</pre>
 *
 * <p>Immutable: every method returns a changed copy.
 */
public final class UkiIso implements ArtifactTarget {
  /** The volume label the Kairos installer looks for. */
  public static final String VOLUME_ID = "UKI_ISO_INSTALL";
  private static final String LOADER = "/EFI/BOOT/BOOTX64.EFI";

  private final Path iso;
  private final BootMediaOptions options;
  private final SortedMap<String, Path> espFiles;
  private final SortedMap<String, String> espTexts;
  private final List<String> espDirectories;

  private UkiIso(Path iso, BootMediaOptions options, SortedMap<String, Path> espFiles, SortedMap<String, String> espTexts,
      List<String> espDirectories) {
    this.iso = iso;
    this.options = options;
    this.espFiles = Collections.unmodifiableSortedMap(new TreeMap<>(espFiles));
    this.espTexts = Collections.unmodifiableSortedMap(new TreeMap<>(espTexts));
    this.espDirectories = List.copyOf(espDirectories);
  }

  /** The UKI ISO, to be written to {@code iso}; it needs a {@link #bootloader}. */
  public static UkiIso to(Path iso) {
    return new UkiIso(Objects.requireNonNull(iso, "iso"), BootMediaOptions.DEFAULTS, new TreeMap<>(), new TreeMap<>(),
        List.of());
  }

  /** With these options (of which the work directory and the source date apply). */
  public UkiIso options(BootMediaOptions o) {
    return new UkiIso(iso, Objects.requireNonNull(o, "options"), espFiles, espTexts, espDirectories);
  }

  /** With the EFI binary the firmware starts: {@code EFI/BOOT/BOOTX64.EFI} (a UKI or systemd-boot). */
  public UkiIso bootloader(Path efiBinary) {
    return espFile(LOADER, efiBinary);
  }

  /** With another file of the ESP, e.g. {@code /loader/loader.conf} or {@code /EFI/kairos/norole.efi}. */
  public UkiIso espFile(String path, Path hostFile) {
    SortedMap<String, Path> m = new TreeMap<>(espFiles);
    m.put(espPath(path), Objects.requireNonNull(hostFile, "hostFile"));
    return new UkiIso(iso, options, m, espTexts, espDirectories);
  }

  /** With a text file of the ESP, e.g. {@code /loader/loader.conf}. */
  public UkiIso espText(String path, String content) {
    SortedMap<String, String> m = new TreeMap<>(espTexts);
    m.put(espPath(path), Objects.requireNonNull(content, "content"));
    return new UkiIso(iso, options, espFiles, m, espDirectories);
  }

  /** With every file, text and directory of a systemd-boot layout (boot loader, UKIs, entries, keys). */
  public UkiIso systemdBoot(SystemdBootLayout layout) {
    SortedMap<String, Path> files = new TreeMap<>(espFiles);
    files.putAll(layout.files());
    SortedMap<String, String> texts = new TreeMap<>(espTexts);
    texts.putAll(layout.texts());
    List<String> dirs = new ArrayList<>(espDirectories);
    dirs.addAll(layout.directories());
    return new UkiIso(iso, options, files, texts, dirs);
  }

  private static String espPath(String path) {
    ImagePath p = ImagePath.of(Objects.requireNonNull(path, "path"));
    if (p.isRoot()) {
      throw new IllegalArgumentException("an ESP file needs a name, got '" + path + "'");
    }
    return p.toString();
  }

  /** Where the ISO goes. */
  public Path path() {
    return iso;
  }

  @Override
  public String description() {
    return "UKI ISO " + iso;
  }

  /**
   * Writes {@code efiboot.img} into the work area, then the ISO and its checksum file.
   *
   * @throws IllegalArgumentException if no {@link #bootloader} was given
   */
  @Override
  public Artifact write(BuiltImage image, EventListener events) throws IOException {
    if (!espFiles.containsKey(LOADER)) {
      throw new IllegalArgumentException("a UKI ISO needs the bootloader (" + LOADER + ")");
    }
    SourceDate date = options.sourceDateFor(image);
    return TargetRun.step(events, "uki-iso", description(), () -> {
      try (WorkArea area = WorkArea.of(options.workDirectory(), iso)) {
        FatImage.Builder fat = FatImage.builder().label("UKI_ESP").sourceDate(date);
        espDirectories.forEach(fat::directory);
        for (Map.Entry<String, Path> f : espFiles.entrySet()) {
          fat.file(f.getKey(), f.getValue());
        }
        espTexts.forEach((path, text) -> fat.file(path, text.getBytes(StandardCharsets.UTF_8)));
        Path img = area.dir().resolve("efiboot.img");
        fat.build().writeTo(img);
        IsoImage.builder().volumeId(VOLUME_ID).sourceDate(date)
            .file("/efiboot.img", img)
            .efiBoot("/efiboot.img")
            .build().writeTo(iso);
      }
      return LiveIso.checksummed(ArtifactKind.UKI_ISO, iso);
    });
  }
}
