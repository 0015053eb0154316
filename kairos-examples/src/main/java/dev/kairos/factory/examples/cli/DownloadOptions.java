package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.ImageBuilder;
import java.io.IOException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --parallel-downloads N}, for the verbs that install packages (see {@link ImageBuilder#parallelDownloads}). */
final class DownloadOptions {
  @Option(names = "--parallel-downloads", paramLabel = "N", defaultValue = "0",
      description = "Fetch each install's package files N at a time (1-16) before the package manager runs (apt only)."
          + " Pays off behind a distant, slow mirror; near one it costs a few seconds an install. Default: 0, off.")
  int connections;

  /** Sets the flag on {@code b}; a value out of range is a usage error naming the flag. */
  ImageBuilder apply(CommandSpec spec, ImageBuilder b) throws IOException {
    return InitOptions.attribute(spec, "--parallel-downloads", () -> b.parallelDownloads(connections));
  }
}
