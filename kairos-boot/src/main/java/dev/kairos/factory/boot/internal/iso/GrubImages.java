package dev.kairos.factory.boot.internal.iso;

import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.KairosException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The GRUB binaries a live ISO boots with, made by the host's {@code grub-mkimage} (Debian's
 * grub-pc-bin and grub-efi-amd64-bin): the BIOS El Torito image ({@code cdboot.img} + core,
 * prefix {@code /boot/grub2}), GRUB's hybrid MBR, and an x86_64 EFI binary whose embedded
 * configuration finds the ISO by its kernel and reads the live menu from it.
 */
public final class GrubImages {
  private static final Path GRUB_LIB = Path.of("/usr/lib/grub");
  /** Everything the live menu uses is built in: the ISO carries no GRUB module directory. */
  private static final List<String> COMMON = List.of("part_gpt", "part_msdos", "iso9660", "fat", "search",
      "search_fs_file", "search_label", "configfile", "normal", "linux", "echo", "test", "true", "ls", "cat",
      "serial", "terminal", "gzio", "smbios", "all_video", "font", "gfxterm", "loadenv", "regexp", "sleep");
  /** What a raw disk's GRUB needs beyond that: the ext2 recovery partition and the image loop-mounted from it. */
  public static final List<String> DISK = List.of("ext2", "loopback", "squash4", "xzio");
  public static final String PREFIX = "/boot/grub2";

  private final Duration timeout;

  public GrubImages(Duration timeout) {
    this.timeout = timeout;
  }

  /** Writes {@code eltorito.img} into {@code dir} and returns it. */
  public Path biosEltorito(Path dir) throws IOException {
    Path out = dir.resolve("eltorito.img");
    List<String> argv = new ArrayList<>(List.of("grub-mkimage", "-O", "i386-pc-eltorito", "-d",
        lib("i386-pc").toString(), "-p", PREFIX, "-o", out.toString(), "biosdisk"));
    argv.addAll(COMMON);
    HostCommand.run(argv, timeout);
    return out;
  }

  /** GRUB's {@code boot_hybrid.img}: MBR code that loads the El Torito image's core when the ISO is a disk. */
  public byte[] hybridMbr() throws IOException {
    return Files.readAllBytes(lib("i386-pc").resolve("boot_hybrid.img"));
  }

  /** Writes {@code bootx64.efi} with {@code embeddedConfig} into {@code dir} and returns it. */
  public Path efiBinary(Path dir, String embeddedConfig) throws IOException {
    return efiBinary(dir, embeddedConfig, List.of());
  }

  /** As {@link #efiBinary(Path, String)}, with {@code extraModules} built in too. */
  public Path efiBinary(Path dir, String embeddedConfig, List<String> extraModules) throws IOException {
    return mkimage("x86_64-efi", dir.resolve("bootx64.efi"), dir, embeddedConfig, extraModules, "efi_gop", "efi_uga");
  }

  /**
   * Writes GRUB's i386-pc {@code core.img} (diskboot + kernel + modules) for a BIOS boot
   * partition into {@code dir} and returns it; the MBR's {@code boot.img} must be pointed at it.
   */
  public Path biosCore(Path dir, String embeddedConfig, List<String> extraModules) throws IOException {
    return mkimage("i386-pc", dir.resolve("core.img"), dir, embeddedConfig, extraModules, "biosdisk");
  }

  /** GRUB's 512-byte i386-pc MBR image ({@code boot.img}). */
  public byte[] biosBootSector() throws IOException {
    return Files.readAllBytes(lib("i386-pc").resolve("boot.img"));
  }

  private Path mkimage(String platform, Path out, Path dir, String embeddedConfig, List<String> extraModules,
      String... platformModules) throws IOException {
    Path cfg = dir.resolve("embedded-" + platform + ".cfg");
    Files.writeString(cfg, embeddedConfig, StandardCharsets.UTF_8);
    List<String> argv = new ArrayList<>(List.of("grub-mkimage", "-O", platform, "-d",
        lib(platform).toString(), "-p", PREFIX, "-c", cfg.toString(), "-o", out.toString()));
    argv.addAll(List.of(platformModules));
    argv.addAll(COMMON);
    argv.addAll(extraModules);
    HostCommand.run(argv, timeout);
    return out;
  }

  private static Path lib(String platform) throws KairosException {
    Path dir = GRUB_LIB.resolve(platform);
    if (!Files.isDirectory(dir)) {
      throw new KairosException("GRUB " + platform + " modules are not installed in " + dir
          + " (Debian packages grub-pc-bin and grub-efi-amd64-bin)");
    }
    return dir;
  }
}
