package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.grub.EfiLoader;
import picocli.CommandLine.Option;

/** {@code --efi-loader}, shared by the verbs that write EFI boot files (a picocli mixin). */
final class EfiLoaderOption {
  @Option(names = "--efi-loader", paramLabel = "LOADER", defaultValue = "auto", converter = Converters.EfiLoaders.class,
      description = "What EFI boots: auto (the image's signed shim and GRUB when it has them, which boot with"
          + " Secure Boot on; else host-grub), image-shim (the image's, or fail), host-grub (GRUB made on this"
          + " host, unsigned). Default: ${DEFAULT-VALUE}.")
  EfiLoader value;
}
