package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code initrd}: a whole root filesystem as one compressed cpio (the UKI-style initrd). */
@Command(name = "initrd", description = "Write a root filesystem as a compressed newc cpio initrd (reproducible).")
final class InitrdCommand extends Verb {
  @Option(names = "--root", required = true, paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "The root filesystem to archive.")
  Path root;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The initrd to write.")
  Path output;

  @Option(names = "--compression", paramLabel = "C", defaultValue = "zstd",
      description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  InitrdCompression compression;

  @Option(names = "--level", paramLabel = "N", description = "Compression level (default: the compressor's).")
  Integer level;

  @Option(names = "--exclude", paramLabel = "PATH", description = "In-image path to leave out; repeatable.")
  List<String> excludes = new ArrayList<>();

  @Override
  int run(Output out) throws Exception {
    var builder = Initrd.builder(RootFs.at(root)).compression(compression)
        .exclude(excludes.toArray(String[]::new)).sourceDate(SourceDate.fromEnvironment());
    if (level != null) {
      builder.level(level);
    }
    builder.build().writeTo(output);
    FileFacts facts = FileFacts.of("initrd", output);
    out.result(facts.json(), facts.human());
    return 0;
  }
}
