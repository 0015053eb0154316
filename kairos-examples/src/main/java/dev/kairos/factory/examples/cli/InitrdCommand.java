package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.io.ExclusiveLock;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code initrd}: a whole root filesystem as one compressed cpio (the UKI-style initrd). */
@Command(name = "initrd", description = "Write a root filesystem as a compressed newc cpio initrd (reproducible).")
final class InitrdCommand extends Verb {
  @Mixin RunPaths.Root root;

  @Mixin RunPaths.Output output;

  @Option(names = "--compression", paramLabel = "C", defaultValue = "zstd",
      description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  InitrdCompression compression;

  @Option(names = "--level", paramLabel = "N", description = "Compression level (default: the compressor's).")
  Integer level;

  @Option(names = "--exclude", paramLabel = "PATH", description = "In-image path to leave out; repeatable.")
  List<String> excludes = new ArrayList<>();

  @Override
  int run(Output out) throws Exception {
    var builder = Initrd.builder(RootFs.at(root.path)).compression(compression)
        .exclude(excludes.toArray(String[]::new)).sourceDate(SourceDate.fromEnvironment());
    if (level != null) {
      builder.level(level);
    }
    try (ExclusiveLock lock = output.lock()) {
      // Initrd.writeTo writes beside the output and renames it into place.
      builder.build().writeTo(output.path);
    }
    FileFacts facts = FileFacts.of("initrd", output.path);
    out.result(facts.json(), facts.human());
    return 0;
  }
}
