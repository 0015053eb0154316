package dev.kairos.factory.boot.internal.iso;

import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.internal.fat.FatImage;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The files of an EFI system partition (or of the ISO's EFI image) that boot GRUB into
 * {@code config}. With the image's signed shim and GRUB: {@code EFI/BOOT/BOOTX64.EFI} (the
 * removable-media path firmware boots; {@code BOOTAA64.EFI} for an arm64 image) and the shim's own name are the shim, next to them GRUB
 * under the name shim loads, and {@code config} wherever that GRUB looks: {@code EFI/BOOT} (its
 * own directory), {@code boot/grub} (the Debian and Ubuntu GRUBs' fallback prefix) and
 * {@code EFI/<vendor>} (a distribution GRUB's built-in prefix). Otherwise GRUB made on the host
 * with {@code config} embedded, and the config in {@code EFI/BOOT} too. Live media get the config
 * in {@code boot/grub} either way, as AuroraBoot's EFI image has it.
 *
 * @param files host files by their path in the FAT image
 * @param configs config texts by their path in the FAT image
 * @param signed whether the files are the image's signed shim and GRUB
 */
public record EfiBootFiles(SortedMap<String, Path> files, SortedMap<String, byte[]> configs, boolean signed) {
  /** Makes the host's GRUB; called only when the image's loaders are not used. */
  @FunctionalInterface
  public interface HostGrub {
    Path build() throws IOException;
  }

  public EfiBootFiles {
    files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    configs = Collections.unmodifiableSortedMap(new TreeMap<>(configs));
  }

  /**
   * The boot files for {@code root} as {@code loader} asks.
   *
   * @throws KairosException if {@code loader} is {@link EfiLoader#IMAGE_SHIM} and the image lacks the signed pair
   */
  public static EfiBootFiles of(RootFs root, EfiLoader loader, SignedEfiLoader.Media media, String config,
      HostGrub hostGrub) throws IOException {
    Optional<SignedEfiLoader> signed = signedLoader(root, loader, media);
    String fallbackLoader = EfiArch.of(root).removableLoader();
    byte[] text = config.getBytes(StandardCharsets.UTF_8);
    SortedMap<String, Path> files = new TreeMap<>();
    SortedMap<String, byte[]> configs = new TreeMap<>();
    configs.put("/EFI/BOOT/grub.cfg", text);
    if (signed.isPresent() || media == SignedEfiLoader.Media.LIVE) {
      configs.put("/boot/grub/grub.cfg", text);
    }
    if (signed.isPresent()) {
      Path shim = root.hostPath(signed.get().shim(), true);
      files.put(fallbackLoader, shim);
      files.put("/EFI/BOOT/" + signed.get().shimName(), shim);
      files.put("/EFI/BOOT/" + signed.get().grubName(), root.hostPath(signed.get().grub(), true));
      SignedEfiLoader.VENDOR_DIRECTORIES.forEach(d -> configs.put("/EFI/" + d + "/grub.cfg", text));
    } else {
      files.put(fallbackLoader, hostGrub.build());
    }
    return new EfiBootFiles(files, configs, signed.isPresent());
  }

  /**
   * The image's signed shim and GRUB if {@code loader} asks for them and the image has them.
   *
   * @throws KairosException if {@code loader} is {@link EfiLoader#IMAGE_SHIM} and the image lacks the signed pair
   */
  public static Optional<SignedEfiLoader> signedLoader(RootFs root, EfiLoader loader, SignedEfiLoader.Media media)
      throws IOException {
    Optional<SignedEfiLoader> signed = loader == EfiLoader.HOST_GRUB
        ? Optional.empty() : SignedEfiLoader.find(root, media);
    if (signed.isEmpty() && loader == EfiLoader.IMAGE_SHIM) {
      throw new KairosException(root.root() + ": " + SignedEfiLoader.searched(media, EfiArch.of(root)));
    }
    return signed;
  }

  /** The bytes of all files and configs. */
  public long size() throws IOException {
    long total = 0;
    for (Path f : files.values()) {
      total += Files.size(f);
    }
    for (byte[] c : configs.values()) {
      total += c.length;
    }
    return total;
  }

  /** Adds every file and config to {@code fat}. */
  public FatImage.Builder addTo(FatImage.Builder fat) throws IOException {
    for (Map.Entry<String, Path> f : files.entrySet()) {
      fat.file(f.getKey(), f.getValue());
    }
    configs.forEach(fat::file);
    return fat;
  }
}
