package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code build-iso}: the live/installer ISO, as AuroraBoot's build-iso. */
@Command(name = "build-iso", description = "Build the hybrid live/installer ISO of a Kairos root filesystem.")
final class BuildIsoCommand extends Verb {
  @Mixin RunPaths.Root root;

  @Mixin RunPaths.Output output;

  @Option(names = "--cloud-config", paramLabel = "FILE", converter = Converters.ExistingPath.class,
      description = "Cloud-config to put on the ISO as /config.yaml.")
  Path cloudConfig;

  @Mixin
  EfiLoaderOption efiLoader;

  @Mixin RunPaths.Work work;

  @Override
  int run(Output out) throws Exception {
    try (ExclusiveLock lock = output.lock(); OwnedDirectory w = work.claim(root.path, output.path)) {
      FileFacts iso = FileFacts.of("iso", BootImages.write("iso",
          scratch -> BootImages.iso(output.path, BootImages.options(scratch, cloudConfig, efiLoader.value)),
          RootFs.at(root.path), w, SourceDate.fromEnvironment(), events(out)));
      out.result(iso.json(), iso.human());
      return 0;
    }
  }
}
