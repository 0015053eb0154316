package dev.kairos.factory.examples;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.secureboot.SecureBootKeys;
import dev.kairos.factory.boot.api.uki.Uki;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.run.Runners;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A Trusted Boot image with a signed UKI: kairosify with {@code trustedBoot(true)} (systemd-boot
 * packages, no GRUB, no dracut initrd), make Secure Boot keys, then write the signed UKI target
 * (systemd's stub, the kernel, the whole root as a zstd cpio initrd, the install cmdline, signed
 * with the db key). Everything after the package installs is Java: no objcopy, no sbsign, no root.
 *
 * <pre>
 * java -cp kairos-factory.jar dev.kairos.factory.examples.TrustedBoot ROOTFS OUT_DIR
 * </pre>
 */
public final class TrustedBoot {
  private TrustedBoot() {}

  public static void main(String[] args) throws IOException {
    RootFs root = RootFs.at(Path.of(args[0]));
    Path out = Path.of(args[1]);
    try (KairosBuild build = Kairos.fromRoot(root).version("v1.0.0").trustedBoot(true)
        .runner(Runners.chroot()).onEvent(System.out::println).build()) {
      System.out.println(build.validate());
      Path keys = out.resolve("keys");
      SecureBootKeys.builder("example").build().writeTo(keys);
      Artifact uki = build.output(Uki.signed(keys).to(out.resolve("norole.efi"))
          .options(BootMediaOptions.builder().workDirectory(out.resolve("work")).build()));
      System.out.println(uki);
    }
  }
}
