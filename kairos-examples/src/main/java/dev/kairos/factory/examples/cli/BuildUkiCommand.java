package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.uki.UkiCmdlines;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.AtomicFile;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.examples.TrustedBoot;
import java.io.IOException;
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
    try (ExclusiveLock lock = output.lock(); OwnedDirectory w = work.claim(root.path, output.path, keys)) {
      writeSignedUki(RootFs.at(root.path), keys, cmdline, w, output.path, SourceDate.fromEnvironment());
    }
    FileFacts uki = FileFacts.of("uki", output.path);
    out.result(uki.json(), uki.human());
    return 0;
  }

  /** The signed UKI, whole or not at all, its intermediate files in a scratch directory of {@code work}. */
  static void writeSignedUki(RootFs root, Path keys, String cmdline, OwnedDirectory work, Path out, SourceDate date)
      throws IOException {
    try (ScratchDirectory scratch = work.scratch("uki")) {
      AtomicFile.write(out,
          tmp -> TrustedBoot.writeSignedUki(root, keys, cmdline, scratch.dir(), tmp, date));
    }
  }
}
