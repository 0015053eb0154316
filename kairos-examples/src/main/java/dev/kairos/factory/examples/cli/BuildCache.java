package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.io.WaitingLock;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.distros.api.Debootstrap;
import dev.kairos.factory.oci.api.OciSource;
import dev.kairos.factory.oci.api.OciStepCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What the CLI keeps between runs so that a second build does not fetch again what the first one
 * fetched. Three parts, each under its own directory of the cache root:
 *
 * <pre>
 * debootstrap/KEY/    a bootstrapped base root; KEY hashes the whole debootstrap command line
 *                     (suite, mirror, arch, variant, included packages, components)
 * apt-archives/*.deb  the Debian packages apt downloaded inside an image (see {@link AptArchiveCache})
 * blobs/              the OCI blobs of pulled images, by digest
 * steps/              snapshots of the build steps' results (see {@link OciStepCache})
 * </pre>
 *
 * <p>Every entry is made under a temporary name and renamed into place when complete, so a
 * crashed run leaves no half entry behind; a base is made under a file lock, so two concurrent
 * runs bootstrap it once.
 */
final class BuildCache {
  /** Bumped when the layout of an entry changes, so old entries miss instead of being misread. */
  static final String FORMAT = "kairos-factory-cache-1";

  /** The directory of the step cache under the cache root. */
  static final String STEPS = "steps";

  /** The directory of apt's package files under the cache root (see {@link AptArchiveCache}). */
  static final String APT_ARCHIVES = "apt-archives";

  private final Path root;

  BuildCache(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath();
  }

  Path root() {
    return root;
  }

  /** {@code source}, served from the cache where it can be: a debootstrap base, an image's blobs. */
  ImageSource source(ImageSource source) {
    if (source instanceof Debootstrap d) {
      return new CachedBootstrap(d, root.resolve("debootstrap"));
    }
    if (source instanceof OciSource oci) {
      return oci.withCacheDirectory(root.resolve("blobs"));
    }
    return source;
  }

  /** The step cache of {@code build}, with its default size cap. */
  OciStepCache steps() {
    return OciStepCache.at(root.resolve(STEPS));
  }

  /** {@code runner}, with apt's downloads kept in and reused from the cache. */
  CommandRunner runner(CommandRunner runner) {
    return new AptArchiveCache(runner, root.resolve(APT_ARCHIVES));
  }

  /**
   * The cache key of a debootstrap base: a hash of the command that makes it (with a fixed
   * target directory), so any change of suite, mirror, architecture, variant, included packages
   * or components is a miss.
   */
  static String key(Debootstrap base) {
    List<String> argv = base.command(Path.of("/target"));
    return sha256(FORMAT + "\0" + String.join("\0", argv));
  }

  static String sha256(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Something done while holding the exclusive lock on a file. */
  interface Locked<T> {
    T run() throws IOException;
  }

  /** Runs {@code work} holding an exclusive lock on {@code lockFile}, waiting for other builds (processes or threads) holding it. */
  static <T> T withLock(Path lockFile, Locked<T> work) throws IOException {
    try (WaitingLock lock = WaitingLock.exclusive(lockFile)) {
      return work.run();
    }
  }

  /**
   * Publishes {@code file} as {@code target}: copied beside it under a temporary name, then renamed
   * atomically, so a reader sees the whole file or none. An existing {@code target} is replaced
   * (whoever wins a race wrote the same content).
   */
  static void publish(Path file, Path target) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "-" + target.getFileName());
    try {
      Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
