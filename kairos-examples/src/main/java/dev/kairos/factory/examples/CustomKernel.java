package dev.kairos.factory.examples;

import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.Phase;
import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.api.validate.ValidationReport;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Bring your own kernel, as the Kairos docs describe it: run the install phase without the
 * distro's kernel ({@code installKernel} skipped), install another kernel yourself, then run the
 * init phase, which picks the kernel it finds, links it to {@code /boot/vmlinuz} and builds the
 * initrd for it. The two phases are separate calls and give the same image as one call would.
 *
 * <pre>
 * java -cp kairos-factory.jar dev.kairos.factory.examples.CustomKernel ROOTFS linux-image-6.1.0-28-cloud-amd64
 * </pre>
 */
public final class CustomKernel {
  private CustomKernel() {}

  /** Kairosifies {@code root} with {@code kernelPackage} instead of the distro's default kernel. */
  public static ValidationReport build(RootFs root, String kernelPackage, CommandRunner runner, EventListener events)
      throws IOException {
    try (KairosBuild install = Kairos.fromRoot(root).version("v1.0.0").phase(Phase.INSTALL)
        .skip(Step.INSTALL_KERNEL).runner(runner).onEvent(events).build()) {
      // The install phase has run: packages, branding, GRUB config, but no kernel.
    }
    runner.run(root, Command.builder("apt-get", "-y", "--no-install-recommends", "install", kernelPackage)
        .env("DEBIAN_FRONTEND", "noninteractive").build()).requireSuccess();
    try (KairosBuild init = Kairos.fromRoot(root).version("v1.0.0").phase(Phase.INIT)
        .runner(runner).onEvent(events).build()) {
      return init.validate();
    }
  }

  public static void main(String[] args) throws IOException {
    System.out.println(build(RootFs.at(Path.of(args[0])), args[1], Runners.chroot(), System.out::println));
  }
}
