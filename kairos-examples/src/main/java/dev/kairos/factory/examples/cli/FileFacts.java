package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What the CLI reports about a file it wrote: kind, path, size and SHA-256. */
record FileFacts(String kind, Path path, long size, String sha256) {

  static FileFacts of(String kind, Path file) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
    }
    return new FileFacts(kind, file, Files.size(file), "sha256:" + HexFormat.of().formatHex(sha.digest()));
  }

  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("path", path.toString());
    m.put("size", size);
    m.put("digest", sha256);
    return m;
  }

  /** As the library reports artifacts. */
  Artifact artifact(ArtifactKind kind) {
    return new Artifact(kind, path.toString(), size, Optional.of(sha256));
  }

  String human() {
    return String.format("%-8s %s  %s  %s", kind, path, ProgressRenderer.amount(size), sha256);
  }
}
