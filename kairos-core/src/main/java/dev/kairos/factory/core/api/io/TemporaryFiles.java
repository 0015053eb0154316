package dev.kairos.factory.core.api.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The temporary files of this JVM that are not yet committed; a shutdown hook (which runs on
 * SIGINT and SIGTERM) removes them, so an interrupted run leaves no half-written file behind.
 */
final class TemporaryFiles {
  private static final Set<Path> LIVE = new LinkedHashSet<>();
  private static boolean hooked;

  private TemporaryFiles() {}

  static synchronized void register(Path p) {
    if (!hooked) {
      hooked = true;
      Runtime.getRuntime().addShutdownHook(new Thread(TemporaryFiles::removeAll, "kairos-temporary-files"));
    }
    LIVE.add(p);
  }

  static synchronized void unregister(Path p) {
    LIVE.remove(p);
  }

  private static synchronized void removeAll() {
    for (Path p : LIVE) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // best effort at exit
      }
    }
    LIVE.clear();
  }
}
