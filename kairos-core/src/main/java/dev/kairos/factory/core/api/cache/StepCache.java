package dev.kairos.factory.core.api.cache;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a build keeps snapshots of its root between runs. Entries form chains: each holds what
 * changed since its parent entry (or since the root as the build was given it), so restoring an
 * entry applies the chain from the state the root is in. An implementation verifies an entry
 * before it changes the root: a damaged or missing one is a miss (and is dropped), never used.
 * Saving and restoring must be safe when several processes share the store.
 *
 * <pre>{@code
 * KairosBuild b = Kairos.from(base).version("v1.0.0").stepCache(OciStepCache.at(Path.of("cache/steps"))).build();
 * }</pre>
 */
public interface StepCache {

  /**
   * Brings {@code root}, now in the state of entry {@code from} (empty: as the build was given it),
   * to the state of entry {@code key}. Returns false, with {@code root} untouched, when there is no
   * whole and verified chain from {@code from} to {@code key}.
   */
  boolean restore(String key, Optional<String> from, RootFs root, EventListener events) throws IOException;

  /** What {@code root} is like now, for a later {@link #save} to find what changed since. */
  Mark mark(RootFs root) throws IOException;

  /**
   * Saves the state of {@code root} as {@code entry}: what changed since {@code since}, which was
   * taken when the root was in the state of the entry's parent. Exactly: a {@link #restore} must
   * give back the root the steps left, the same bytes, modes, owners, extended attributes, hard
   * links and modification times (to the nanosecond where the file system keeps them, and not
   * clamped to the source date, as outputs are), since a later step may judge a file by any of them.
   */
  void save(Entry entry, Mark since, RootFs root, EventListener events) throws IOException;

  /**
   * A host directory where this store keeps the package manager's indexes between builds, for the
   * dry run that keys the install phase (see {@link dev.kairos.factory.core.api.distro.PackageManager#RESOLVE_INDEXES_ENV}),
   * held by this build alone until the handle is closed; empty (the default) where the store
   * keeps none, and the indexes are then fetched whole every build.
   */
  default Optional<KeptIndexes> packageIndexes() throws IOException {
    return Optional.empty();
  }

  /**
   * The small text an earlier build kept under {@code key} with {@link #keepNote}; empty when
   * there is none (the default: a store that keeps no notes), or when it is damaged.
   */
  default Optional<String> note(String key) throws IOException {
    return Optional.empty();
  }

  /**
   * Keeps a small text under {@code key}: a result that is slow to make and is a function of what
   * the key covers (the package manager's dry run on the same indexes, the lock of a restored
   * install phase). It is kept as long as entry {@code owner} is, and removed with it; a store
   * that cannot take it says so on {@code events} and goes on. Does nothing by default.
   */
  default void keepNote(String key, String owner, String text, EventListener events) throws IOException {}

  /** A directory of kept package indexes, held by one build until closed. */
  interface KeptIndexes extends java.io.Closeable {
    /** The directory (made when missing). */
    java.nio.file.Path directory();
  }

  /** An opaque record of a root's state, made by {@link #mark}. */
  interface Mark {}

  /**
   * What an entry is.
   *
   * @param key its key (a hex digest of everything that can change the root up to it)
   * @param parent the entry it builds on; empty for the first of a chain
   * @param steps the steps (and stage extensions) it holds the result of, in order
   * @param inputs what went into the key, by name, for people reading the cache
   */
  record Entry(String key, Optional<String> parent, List<String> steps, Map<String, String> inputs) {
    /** Copies the lists; checks that the key is a non-empty hex digest. */
    public Entry {
      Objects.requireNonNull(key, "key");
      if (!key.matches("[0-9a-f]{16,128}")) {
        throw new IllegalArgumentException("a step cache key is a lowercase hex digest, got '" + key + "'");
      }
      Objects.requireNonNull(parent, "parent");
      steps = List.copyOf(steps);
      inputs = Map.copyOf(inputs);
    }
  }
}
