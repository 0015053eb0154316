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
    Path cfg = dir.resolve("embedded.cfg");
    Files.writeString(cfg, embeddedConfig, StandardCharsets.UTF_8);
    Path out = dir.resolve("bootx64.efi");
    List<String> argv = new ArrayList<>(List.of("grub-mkimage", "-O", "x86_64-efi", "-d",
        lib("x86_64-efi").toString(), "-p", PREFIX, "-c", cfg.toString(), "-o", out.toString(), "efi_gop", "efi_uga"));
    argv.addAll(COMMON);
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
