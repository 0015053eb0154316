package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.distros.api.Debootstrap;
import dev.kairos.factory.distros.api.DirectorySource;
import dev.kairos.factory.distros.api.LockedBootstrap;
import dev.kairos.factory.core.api.lock.Lock;
import java.util.Optional;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A debootstrap base made once and kept in {@code DIR/KEY} (see {@link BuildCache#key}); every
 * build gets a copy of it, so the cached root is never changed by a build.
 */
final class CachedBootstrap implements ImageSource {
  private final Debootstrap base;
  private final Path directory;

  CachedBootstrap(Debootstrap base, Path directory) {
    this.base = base;
    this.directory = directory;
  }

  /** Where the base is kept (it exists once it is complete). */
  Path entry() {
    return directory.resolve(BuildCache.key(base));
  }

  @Override
  public String description() {
    return base.description();
  }

  @Override
  public RootFs materialize(Path target, EventListener events) throws IOException {
    Path entry = entry();
    String key = entry.getFileName().toString();
    boolean made = BuildCache.withLock(directory.resolve(key + ".lock"), () -> {
      if (Files.isDirectory(entry)) {
        return false;
      }
      // A partial tree is what a killed run left; it is ours to remove (never across a mount), we hold the lock.
      Path partial = directory.resolve(key + ".partial");
      ScratchDirectory.deleteTree(partial);
      base.materialize(partial, events);
      Files.move(partial, entry, StandardCopyOption.ATOMIC_MOVE);
      return true;
    });
    if (!made) {
      events.onEvent(new KairosEvent.CacheHit(base.description(), entry.toString()));
    }
    return DirectorySource.of(entry).materialize(target, events);
  }

  @Override
  public java.util.Map<String, String> lockEntries(RootFs root) {
    return base.lockEntries();
  }

  /** A replay bootstraps the locked base packages (not the cached base), taking their files from the cache first. */
  @Override
  public ImageSource replaying(Lock lock, Optional<String> lockMirror) {
    return LockedBootstrap.of(base, lock).lockMirror(lockMirror)
        .packageCache(directory.resolveSibling(BuildCache.APT_ARCHIVES));
  }

  @Override
  public String toString() {
    return description();
  }
}
