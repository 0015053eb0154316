package dev.kairos.factory.boot.api;

import dev.kairos.factory.boot.api.fat.FatImage;
import dev.kairos.factory.boot.api.gpt.GptDisk;
import dev.kairos.factory.boot.api.grub.GrubConfigs;
import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.boot.api.secureboot.SecureBootKeys;
import dev.kairos.factory.boot.api.uki.Uki;
import dev.kairos.factory.core.api.fs.RootFs;

/**
 * The entry point of kairos-boot: builders for every boot artifact, all written in Java without
 * root, loop devices or external tools, and all byte-reproducible.
 *
 * <pre>{@code
 * RootFs rootfs = RootFs.at(Path.of("rootfs"));
 * Boot.initrd(rootfs).compression(InitrdCompression.ZSTD).build().writeTo(Path.of("initrd"));
 * FatImage esp = Boot.fat().label("COS_GRUB").file("/EFI/BOOT/BOOTX64.EFI", Path.of("uki.efi")).build();
 * Boot.gptDisk().add(GptDisk.partition("efi").type(GptType.ESP).size(esp.size()).content(esp))
 *     .build().writeTo(Path.of("disk.raw"));
 * }</pre>
 */
public final class Boot {
  private Boot() {
  }

  /** An initramfs (newc cpio, compressed) of {@code rootfs}. */
  public static Initrd.Builder initrd(RootFs rootfs) {
    return Initrd.builder(rootfs);
  }

  /** A Unified Kernel Image on systemd's EFI stub; sign it with {@code Authenticode.sign}. */
  public static Uki.Builder uki() {
    return Uki.builder();
  }

  /** The GRUB configurations (ISO stub and live menu, ESP chain, installed menu, bootargs). */
  public static GrubConfigs.Builder grub() {
    return GrubConfigs.builder();
  }

  /** A Secure Boot key set (PK, KEK, db: keys, certificates, ESLs, signed .auth updates). */
  public static SecureBootKeys.Builder secureBootKeys(String name) {
    return SecureBootKeys.builder(name);
  }

  /** A GPT disk image (protective MBR, both headers, streamed partition contents). */
  public static GptDisk.Builder gptDisk() {
    return GptDisk.builder();
  }

  /** A FAT16/FAT32 volume, e.g. an EFI system partition; it is also a {@code PartitionContent}. */
  public static FatImage.Builder fat() {
    return FatImage.builder();
  }
}
