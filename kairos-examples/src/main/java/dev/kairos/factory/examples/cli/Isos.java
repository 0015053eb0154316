package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The live ISO, as {@code build --iso} and {@code build-iso} write it. */
final class Isos {
  private Isos() {}

  /**
   * Writes the ISO of {@code root} to {@code iso}; intermediate files go to {@code work}, which is
   * emptied afterwards.
   */
  static FileFacts write(RootFs root, Path iso, Path work, Path cloudConfig, SourceDate date) throws IOException {
    if (Files.exists(work)) {
      WorkDirectory.deleteTree(work);
    }
    Files.createDirectories(work);
    Path parent = iso.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    LiveIso.Builder b = LiveIso.builder(root).workDirectory(work).sourceDate(date);
    if (cloudConfig != null) {
      b.cloudConfig(Files.readString(cloudConfig));
    }
    b.build().writeTo(iso);
    WorkDirectory.deleteTree(work);
    return FileFacts.of("iso", iso);
  }
}
