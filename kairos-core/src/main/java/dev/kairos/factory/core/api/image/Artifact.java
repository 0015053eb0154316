package dev.kairos.factory.core.api.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * What a target made: its kind, where it is (a file, a directory or an image reference), its size
 * in bytes and its content digest ({@code sha256:...}).
 *
 * <p>For a file the size is the file's and the digest that of its bytes. For a directory (a
 * netboot set, an OCI layout) the size is the sum of the sizes of its files and the digest that of
 * its entry point (an OCI manifest, a netboot set's {@code sha256sum} listing). A pushed image has no size here (0):
 * its bytes live in the registry.
 *
 * @param kind what sort of artifact it is
 * @param location the file, the directory or the image reference
 * @param size the size in bytes; 0 for a pushed image
 * @param digest the content digest ({@code sha256:...}), when there is one
 */
public record Artifact(ArtifactKind kind, String location, long size, Optional<String> digest) {
  /** Checks that no part is missing and the size is not negative. */
  public Artifact {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
  }

  /** The artifact of one file: its size and the SHA-256 of its content. */
  public static Artifact ofFile(ArtifactKind kind, Path file) throws IOException {
    return new Artifact(kind, file.toString(), Files.size(file), Optional.of(sha256(file)));
  }

  /** The sum of the sizes of the regular files below {@code directory}. */
  public static long directorySize(Path directory) throws IOException {
    try (var walk = Files.walk(directory)) {
      return walk.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** {@code sha256:HEX} of a file's content. */
  public static String sha256(Path file) throws IOException {
    MessageDigest md = sha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
