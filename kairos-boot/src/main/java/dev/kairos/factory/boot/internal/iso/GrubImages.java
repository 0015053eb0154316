package dev.kairos.factory.boot.internal.iso;

import dev.kairos.factory.boot.internal.host.HostCommand;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
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
 * prefix {@code /boot/grub2}), GRUB's hybrid MBR, and an EFI binary whose embedded
 * configuration finds the ISO by its kernel and reads the live menu from it. The EFI binary is
 * for the image's architecture: x86_64 from the host's modules, arm64 from the host's modules
 * when it has them, else from the image's own ({@code /usr/lib/grub/arm64-efi}, Debian's
 * grub-efi-arm64-bin, which is an arm64 package): {@code grub-mkimage} builds for any platform
 * from that platform's module directory.
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
    return mkimage(EfiArch.X64.grubPlatform(), lib(EfiArch.X64.grubPlatform()), dir.resolve("bootx64.efi"), dir,
        embeddedConfig, extraModules, EfiArch.X64.platformModules());
  }

  /**
   * Writes {@code boot<suffix>.efi} ({@code bootx64.efi}, {@code bootaa64.efi}) for the architecture
   * of {@code image} with {@code embeddedConfig} and {@code extraModules} into {@code dir} and
   * returns it; GRUB's modules come from the host, else from the image.
   *
   * @throws KairosException if neither has the platform's modules
   */
  public Path efiBinary(Path dir, String embeddedConfig, List<String> extraModules, RootFs image) throws IOException {
    EfiArch arch = EfiArch.of(image);
    if (arch == EfiArch.X64) {
      return efiBinary(dir, embeddedConfig, extraModules);
    }
    Path modules = GRUB_LIB.resolve(arch.grubPlatform());
    if (!Files.isDirectory(modules)) {
      ImagePath inImage = ImagePath.of("/usr/lib/grub/" + arch.grubPlatform());
      if (!image.isDirectory(inImage)) {
        throw new KairosException("GRUB " + arch.grubPlatform() + " modules are neither in " + modules
            + " nor in the image's " + inImage + " (Debian package " + arch.grubPackage() + ", in the image)");
      }
      modules = image.hostPath(inImage, true);
    }
    return mkimage(arch.grubPlatform(), modules, dir.resolve("boot" + arch.suffix() + ".efi"), dir, embeddedConfig,
        extraModules, arch.platformModules());
  }

  /**
   * Writes GRUB's i386-pc {@code core.img} (diskboot + kernel + modules) for a BIOS boot
   * partition into {@code dir} and returns it; the MBR's {@code boot.img} must be pointed at it.
   */
  public Path biosCore(Path dir, String embeddedConfig, List<String> extraModules) throws IOException {
    return mkimage("i386-pc", lib("i386-pc"), dir.resolve("core.img"), dir, embeddedConfig, extraModules, List.of("biosdisk"));
  }

  /** GRUB's 512-byte i386-pc MBR image ({@code boot.img}). */
  public byte[] biosBootSector() throws IOException {
    return Files.readAllBytes(lib("i386-pc").resolve("boot.img"));
  }

  private Path mkimage(String platform, Path modules, Path out, Path dir, String embeddedConfig, List<String> extraModules,
      List<String> platformModules) throws IOException {
    Path cfg = dir.resolve("embedded-" + platform + ".cfg");
    Files.writeString(cfg, embeddedConfig, StandardCharsets.UTF_8);
    List<String> argv = new ArrayList<>(List.of("grub-mkimage", "-O", platform, "-d",
        modules.toString(), "-p", PREFIX, "-c", cfg.toString(), "-o", out.toString()));
    argv.addAll(platformModules);
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
