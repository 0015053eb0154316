package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.disk.RawDisk;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.boot.api.netboot.NetbootSet;
import dev.kairos.factory.boot.api.uki.SignedUki;
import dev.kairos.factory.boot.api.uki.Uki;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The boot targets the CLI's flags name, in one place: {@code build --iso/--disk/--vhd/--gce/
 * --uki/--netboot} and the verbs {@code build-iso}, {@code build-disk}, {@code build-uki} and
 * {@code netboot} all get their {@link ArtifactTarget} here, and the verbs that start from a root
 * on disk write it with {@link #write}.
 */
final class BootImages {
  private BootImages() {}

  /** The live ISO ({@code --iso}, {@code build-iso}). */
  static LiveIso iso(Path out, BootMediaOptions options) {
    return LiveIso.to(out).options(options);
  }

  /** The raw disk or one of its cloud images ({@code --disk}, {@code --vhd}, {@code --gce}, {@code build-disk}). */
  static RawDisk disk(Path out, boolean bios, RawDisk.Format format, BootMediaOptions options) {
    RawDisk disk = RawDisk.to(out).format(format).options(options);
    return bios ? disk.bios() : disk;
  }

  /** The signed UKI ({@code --uki}, {@code build-uki}), signed with the db key of {@code keys}. */
  static SignedUki uki(Path keys, String cmdline, Path out, BootMediaOptions options) {
    return Uki.signed(keys).cmdline(cmdline).options(options).to(out);
  }

  /** The netboot set ({@code --netboot}, {@code netboot}). */
  static NetbootSet netboot(Path dir, String baseUrl, String configUrl) {
    NetbootSet set = NetbootSet.to(dir).baseUrl(baseUrl);
    return configUrl == null ? set : set.configUrl(configUrl);
  }

  /** The options the flags set: intermediate files in {@code work}, the cloud-config file's text if given, the EFI loader. */
  static BootMediaOptions options(Path work, Path cloudConfig, EfiLoader loader) throws IOException {
    BootMediaOptions.Builder b = BootMediaOptions.builder().workDirectory(work).efiLoader(loader);
    if (cloudConfig != null) {
      b.cloudConfig(Files.readString(cloudConfig));
    }
    return b.build();
  }

  /** Makes a verb's target once its scratch directory exists. */
  @FunctionalInterface
  interface TargetInScratch {
    ArtifactTarget make(Path scratch) throws IOException;
  }

  /**
   * Writes the target {@code target} makes from the root at {@code root} (a verb that starts from
   * a root on disk), its intermediate files in a scratch directory of the claimed {@code work},
   * which goes afterwards whatever happens; nothing else of {@code work} is touched.
   */
  static Artifact write(String kind, TargetInScratch target, RootFs root, OwnedDirectory work, SourceDate date,
      EventListener events) throws IOException {
    try (ScratchDirectory scratch = work.scratch(kind)) {
      return target.make(scratch.dir()).write(BuiltImage.of(root, date), events);
    }
  }
}
