package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.uki.UkiCmdlines;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.KernelImage;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code build-uki}: a signed Unified Kernel Image, as AuroraBoot's build-uki. */
@Command(name = "build-uki", description = "Build a signed UKI (stub, kernel, the whole root as initrd, cmdline) for Trusted Boot.")
final class BuildUkiCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "A kairosified Trusted Boot root filesystem: its /boot/vmlinuz, else the kernel kairos-init"
          + " would choose from /lib/modules.")
  Path root;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The signed .efi file to write.")
  Path output;

  @Option(names = "--keys", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "Keys made by genkey (db.key and db.pem sign the UKI).")
  Path keys;

  @Option(names = "--extend-cmdline", paramLabel = "ARGS", description = "Kernel arguments added to the default cmdline.")
  String extendCmdline;

  @Option(names = "--work", paramLabel = "DIR",
      defaultValue = "${env:XDG_CACHE_HOME:-${sys:user.home}/.cache}/kairos-factory/uki",
      description = "Directory for the initrd and the unsigned UKI (default: ${DEFAULT-VALUE}).")
  Path work;

  @Override
  int run(Output out) throws Exception {
    String cmdline = extendCmdline == null ? UkiCmdlines.DEFAULT : UkiCmdlines.extended(extendCmdline);
    RootFs rootFs = RootFs.at(root);
    out.err().println("build-uki: " + KernelImage.find(rootFs).description());
    out.err().flush();
    // The UKI target removes its own intermediate files (initrd, unsigned UKI) and nothing else of --work.
    FileFacts uki = FileFacts.of("uki", BootImages.uki(keys, cmdline, output, BootMediaOptions.builder().workDirectory(work).build())
        .write(BuiltImage.of(rootFs, SourceDate.fromEnvironment()), events(out)));
    out.result(uki.json(), uki.human());
    return 0;
  }
}
