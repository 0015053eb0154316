package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code build-iso}: the live/installer ISO, as AuroraBoot's build-iso. */
@Command(name = "build-iso", description = "Build the hybrid live/installer ISO of a Kairos root filesystem.")
final class BuildIsoCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "A kairosified root filesystem.")
  Path root;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The ISO to write.")
  Path output;

  @Option(names = "--cloud-config", paramLabel = "FILE", converter = Converters.ExistingPath.class,
      description = "Cloud-config to put on the ISO as /config.yaml.")
  Path cloudConfig;

  @Mixin
  EfiLoaderOption efiLoader;

  @Option(names = "--work", paramLabel = "DIR",
      defaultValue = "${env:XDG_CACHE_HOME:-${sys:user.home}/.cache}/kairos-factory/iso",
      description = "Directory for intermediate files, emptied afterwards (default: ${DEFAULT-VALUE}).")
  Path work;

  @Override
  int run(Output out) throws Exception {
    FileFacts iso = FileFacts.of("iso", BootImages.write(
        BootImages.iso(output, BootImages.options(work, cloudConfig, efiLoader.value)), RootFs.at(root), work,
        SourceDate.fromEnvironment(), events(out)));
    out.result(iso.json(), iso.human());
    return 0;
  }
}
