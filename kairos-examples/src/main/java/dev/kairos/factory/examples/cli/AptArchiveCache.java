package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.CommandRunner;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A runner that keeps the {@code .deb} files apt downloads inside an image in a host directory
 * and offers them to the next apt run, so a second build installs without downloading.
 *
 * <p>Around an {@code apt-get}/{@code apt} command that installs or upgrades, the cached files
 * are linked (or copied) into the image's {@code /var/cache/apt/archives}; afterwards the files
 * apt downloaded are published to the cache and the ones put there removed again, so the image
 * holds what it would hold without the cache. This is safe without a key beyond the file name
 * ({@code NAME_VERSION_ARCH.deb}): apt checks every file in its archives against the hash of its
 * index and fetches again one that does not match.
 */
final class AptArchiveCache implements CommandRunner {
  private static final Set<String> APT = Set.of("apt-get", "apt");
  private static final Set<String> FETCHING = Set.of("install", "upgrade", "dist-upgrade", "full-upgrade", "reinstall");
  private static final ImagePath ARCHIVES = ImagePath.of("/var/cache/apt/archives");

  private final CommandRunner delegate;
  private final Path cache;

  AptArchiveCache(CommandRunner delegate, Path cache) {
    this.delegate = delegate;
    this.cache = cache;
  }

  /** Whether {@code command} may download packages: apt with an install or upgrade verb. */
  static boolean fetches(Command command) {
    List<String> argv = command.argv();
    String program = Path.of(argv.get(0)).getFileName().toString();
    return APT.contains(program) && argv.stream().skip(1).anyMatch(FETCHING::contains);
  }

  @Override
  public CommandResult run(RootFs root, Command command) throws IOException {
    if (!fetches(command)) {
      return delegate.run(root, command);
    }
    // Resolved inside the image, so a symlinked archives directory cannot point the copies at the host.
    Path archives = root.hostPath(ARCHIVES, true);
    List<Path> seeded = Files.isDirectory(archives, LinkOption.NOFOLLOW_LINKS) ? seed(archives) : List.of();
    try {
      return delegate.run(root, command);
    } finally {
      if (Files.isDirectory(archives, LinkOption.NOFOLLOW_LINKS)) {
        harvest(archives, seeded);
      }
    }
  }

  /** Puts every cached package into {@code archives} that is not there yet; returns what it put. */
  private List<Path> seed(Path archives) throws IOException {
    List<Path> put = new ArrayList<>();
    if (!Files.isDirectory(cache)) {
      return put;
    }
    try (DirectoryStream<Path> debs = Files.newDirectoryStream(cache, "*.deb")) {
      for (Path deb : debs) {
        Path to = archives.resolve(deb.getFileName().toString());
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        try {
          // A link costs nothing; apt never writes into a finished file (it replaces it by rename).
          Files.createLink(to, deb);
        } catch (FileAlreadyExistsException e) {
          continue;
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(deb, to);
        }
        put.add(to);
      }
    }
    return put;
  }

  /** Publishes the packages apt downloaded and removes the ones {@link #seed} put there. */
  private void harvest(Path archives, List<Path> seeded) throws IOException {
    Files.createDirectories(cache);
    Set<Path> ours = Set.copyOf(seeded);
    try (DirectoryStream<Path> debs = Files.newDirectoryStream(archives, "*.deb")) {
      for (Path deb : debs) {
        if (ours.contains(deb) || !Files.isRegularFile(deb, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        Path target = cache.resolve(deb.getFileName().toString());
        if (!Files.exists(target)) {
          BuildCache.publish(deb, target);
        }
      }
    }
    for (Path p : seeded) {
      Files.deleteIfExists(p);
    }
    // apt downloads through partial/, so without the cache its time would be the install's; a
    // build with a warm cache must give the same image as one with a cold cache.
    Path partial = archives.resolve("partial");
    if (!seeded.isEmpty() && Files.isDirectory(partial, LinkOption.NOFOLLOW_LINKS)) {
      Files.setLastModifiedTime(partial, FileTime.from(Instant.now()));
    }
  }

  @Override
  public String name() {
    return delegate.name() + "+apt-cache";
  }
}
