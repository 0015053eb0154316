package dev.kairos.factory.examples;

import dev.kairos.factory.boot.api.Boot;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import dev.kairos.factory.boot.api.secureboot.Authenticode;
import dev.kairos.factory.boot.api.secureboot.Pem;
import dev.kairos.factory.boot.api.secureboot.SecureBootKeys;
import dev.kairos.factory.boot.api.uki.Uki;
import dev.kairos.factory.boot.api.uki.UkiCmdlines;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.KernelImage;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Runners;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Trusted Boot image with a signed UKI: kairosify with {@code trustedBoot(true)} (systemd-boot
 * packages, no GRUB, no dracut initrd), make Secure Boot keys, then build the UKI (systemd's stub,
 * the kernel, the whole root as a zstd cpio initrd, the install cmdline) and sign it with the db
 * key. Everything after the package installs is Java: no objcopy, no sbsign, no root.
 *
 * <pre>
 * java -cp kairos-factory.jar dev.kairos.factory.examples.TrustedBoot ROOTFS OUT_DIR
 * </pre>
 */
public final class TrustedBoot {
  private TrustedBoot() {}

  /**
   * Writes the UKI of {@code root}, signed with {@code keys/db.key} and {@code keys/db.pem}, to
   * {@code out}; intermediate files (initrd, unsigned UKI) go to {@code work}. The kernel is found
   * as kairos-init finds it ({@link KernelImage#find(RootFs)}).
   */
  public static Path writeSignedUki(RootFs root, Path keys, String cmdline, Path work, Path out, SourceDate date)
      throws IOException {
    return writeSignedUki(root, KernelImage.find(root), keys, cmdline, work, out, date);
  }

  /** {@link #writeSignedUki(RootFs, Path, String, Path, Path, SourceDate)} with the kernel {@code kernel}. */
  public static Path writeSignedUki(RootFs root, KernelImage kernel, Path keys, String cmdline, Path work, Path out,
      SourceDate date) throws IOException {
    Files.createDirectories(work);
    Path initrd = work.resolve("initrd.zst");
    Boot.initrd(root).compression(InitrdCompression.ZSTD).sourceDate(date).build().writeTo(initrd);
    Path unsigned = work.resolve("unsigned.efi");
    Uki.builder()
        .stub(Uki.DEBIAN_STUB)
        .kernel(root.hostPath(kernel.path(), true))
        .initrd(initrd)
        .cmdline(cmdline)
        .osRelease(root.readString(ImagePath.of("/etc/os-release")))
        .build()
        .writeTo(unsigned);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Authenticode.sign(unsigned, out, Pem.readPrivateKey(keys.resolve("db.key"), null),
        Pem.readCertificate(keys.resolve("db.pem")));
    Files.delete(unsigned);
    Files.delete(initrd);
    return out;
  }

  public static void main(String[] args) throws IOException {
    RootFs root = RootFs.at(Path.of(args[0]));
    Path out = Path.of(args[1]);
    try (KairosBuild build = Kairos.fromRoot(root).version("v1.0.0").trustedBoot(true)
        .runner(Runners.chroot()).onEvent(System.out::println).build()) {
      System.out.println(build.validate());
      Path keys = out.resolve("keys");
      SecureBootKeys.builder("example").build().writeTo(keys);
      writeSignedUki(build.rootFs(), keys, UkiCmdlines.DEFAULT, out.resolve("work"), out.resolve("norole.efi"),
          build.sourceDate());
    }
  }
}
