package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.uki.UkiCmdlines;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.KernelImage;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code build-uki}: a signed Unified Kernel Image, as AuroraBoot's build-uki. */
@Command(name = "build-uki", description = "Build a signed UKI (stub, kernel, the whole root as initrd, cmdline) for Trusted Boot.")
final class BuildUkiCommand extends Verb {
  @Mixin RunPaths.Root root;

  @Mixin RunPaths.Output output;

  @Option(names = "--keys", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "Keys made by genkey (db.key and db.pem sign the UKI).")
  Path keys;

  @Option(names = "--extend-cmdline", paramLabel = "ARGS", description = "Kernel arguments added to the default cmdline.")
  String extendCmdline;

  @Mixin RunPaths.Work work;

  @Override
  int run(Output out) throws Exception {
    String cmdline = extendCmdline == null ? UkiCmdlines.DEFAULT : UkiCmdlines.extended(extendCmdline);
    RootFs rootFs = RootFs.at(root.path);
    // /boot/vmlinuz, else the kernel kairos-init would choose from /lib/modules: say which.
    out.err().println("build-uki: " + KernelImage.find(rootFs).description());
    // the stub follows the image's architecture (its /bin/sh): linuxaa64.efi.stub for arm64
    out.err().println("build-uki: EFI stub " + BootImages.uki(keys, cmdline, output.path, BootMediaOptions.DEFAULTS)
        .stubFor(rootFs));
    out.err().flush();
    try (ExclusiveLock lock = output.lock(); OwnedDirectory w = work.claim(root.path, output.path, keys)) {
      FileFacts uki = FileFacts.of("uki", BootImages.write("uki",
          scratch -> BootImages.uki(keys, cmdline, output.path, BootMediaOptions.builder().workDirectory(scratch).build()),
          rootFs, w, SourceDate.fromEnvironment(), events(out)));
      out.result(uki.json(), uki.human());
      return 0;
    }
  }
}
