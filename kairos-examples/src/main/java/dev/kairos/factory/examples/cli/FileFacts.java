package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.image.Artifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the CLI reports about a file it wrote: kind, path, size and SHA-256. */
record FileFacts(String kind, Path path, long size, String sha256) {

  static FileFacts of(String kind, Path file) throws IOException {
    return new FileFacts(kind, file, Files.size(file), Artifact.sha256(file));
  }

  /** The facts of an artifact a library target wrote. */
  static FileFacts of(String kind, Artifact written) {
    return new FileFacts(kind, Path.of(written.location()), written.size(), written.digest().orElseThrow());
  }

  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("path", path.toString());
    m.put("size", size);
    m.put("digest", sha256);
    return m;
  }

  String human() {
    return String.format("%-8s %s  %s  %s", kind, path, ProgressRenderer.amount(size), sha256);
  }
}
