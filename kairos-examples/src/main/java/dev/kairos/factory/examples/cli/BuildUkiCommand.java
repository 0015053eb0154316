package dev.kairos.factory.examples.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code build-uki}: a signed Unified Kernel Image, as AuroraBoot's build-uki. */
@Command(name = "build-uki", description = "Build a signed UKI (kernel, initrd of the whole root, cmdline) for Trusted Boot.")
final class BuildUkiCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "A kairosified Trusted Boot root filesystem.")
  Path root;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The .efi file to write.")
  Path output;

  @Option(names = "--keys", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "Keys made by genkey (db.key and db.pem sign the UKI).")
  Path keys;

  @Option(names = "--extra-cmdline", paramLabel = "ARGS", description = "Also build a UKI with these extra kernel arguments; repeatable.")
  List<String> extraCmdline = new ArrayList<>();

  @Override
  int run(Output out) throws Exception {
    throw new NotAvailableException("build-uki (UKI assembly and signing of kairos-boot)");
  }
}
