package dev.kairos.factory.core.api.cache;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the step cache did in one build: the key of the state the build ended in, which entries it
 * restored and saved, and which steps it reused and which it ran.
 *
 * @param key the key of the root's final state (the key the next identical build looks for)
 * @param restored the keys of the entries restored, in order (one per phase at most)
 * @param reused the steps and stage-extension slots whose result came from the cache, in order
 * @param ran the steps and stage-extension slots that ran, in order
 * @param saved the keys of the entries this build saved, in order
 */
public record StepCacheReport(String key, List<String> restored, List<String> reused, List<String> ran,
    List<String> saved) {
  /** Copies the lists. */
  public StepCacheReport {
    Objects.requireNonNull(key, "key");
    restored = List.copyOf(restored);
    reused = List.copyOf(reused);
    ran = List.copyOf(ran);
    saved = List.copyOf(saved);
  }

  /** The last entry restored, if any. */
  public Optional<String> lastRestored() {
    return restored.isEmpty() ? Optional.empty() : Optional.of(restored.get(restored.size() - 1));
  }
}
