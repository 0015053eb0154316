package dev.kairos.factory.core.api;

import dev.kairos.factory.core.api.cache.StepCache;
import dev.kairos.factory.core.api.cache.StepCacheReport;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.release.KairosRelease;
import dev.kairos.factory.core.api.validate.ValidationReport;
import dev.kairos.factory.core.api.validate.Validator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;

/**
 * A finished Kairosification: the prepared root, ready to be turned into artifacts by targets of
 * {@code kairos-oci} and {@code kairos-boot}. Closing it ends its use: {@link #output} and
 * {@link #validate} then refuse to run, so that code holding a closed build cannot write artifacts
 * of a root that a later build in the same work directory is already changing. Closing deletes
 * nothing: the root and the work directory stay where the caller put them.
 *
 * <pre>{@code
 * try (KairosBuild build = Kairos.fromRoot(root).version("v1.0.0").build()) {
 *   build.kairosRelease().get("KAIROS_VERSION");   // v1.0.0
 *   Artifact iso = build.output(LiveIso.to(Path.of("out/kairos.iso")));   // kairos-boot
 *   Artifact disk = build.output(RawDisk.to(Path.of("out/kairos.raw")).bios());
 *   Artifact layout = build.output(OciTarget.layout(Path.of("out/layout"), "v1.0.0"));   // kairos-oci
 * }
 * }</pre>
 */
public final class KairosBuild implements BuiltImage, AutoCloseable {
  private final RootFs root;
  private final Optional<ImageSource> base;
  private final SourceDate sourceDate;
  private final EventListener events;
  private final Validator validator;
  private final Optional<Lock> lock;
  private final Optional<StepCacheReport> stepCache;
  private final Optional<StepCache> stepCacheStore;
  private volatile boolean closed;

  KairosBuild(RootFs root, Optional<ImageSource> base, SourceDate sourceDate, EventListener events, Validator validator,
      Optional<Lock> lock, Optional<StepCacheReport> stepCache, Optional<StepCache> stepCacheStore) {
    this.lock = lock;
    this.stepCache = stepCache;
    this.stepCacheStore = stepCacheStore;
    this.root = Objects.requireNonNull(root, "root");
    this.base = base;
    this.sourceDate = sourceDate;
    this.events = events;
    this.validator = validator;
  }

  /**
   * What the install phase installed, as a {@link Lock} to replay with {@link ImageBuilder#lock}:
   * empty for an init-only build or a family whose package manager keeps no lock.
   *
   * <pre>{@code
   * build.lock().ifPresent(l -> l.write(Path.of("out/kairos.lock")));
   * }</pre>
   */
  public Optional<Lock> lock() {
    return lock;
  }

  /**
   * What the step cache did: the key of the final state, the entries restored and saved, the
   * steps reused and run. Empty for a build without {@link ImageBuilder#stepCache}.
   */
  public Optional<StepCacheReport> stepCache() {
    return stepCache;
  }

  /**
   * The step cache this build used, if any: an artifact target may keep what it makes from the
   * root there under the build's final key ({@link StepCacheReport#key()}), which names the
   * root's content, and reuse it in a later build with the same key. A caller that changes the
   * root after the build must therefore not write artifacts through such a target.
   */
  public Optional<StepCache> stepCacheStore() {
    return stepCacheStore;
  }

  /** Checks the image with {@link Validator}, using the build's runner, distros and trusted-boot option. */
  public ValidationReport validate() throws IOException {
    requireOpen();
    return validator.validate(root);
  }

  @Override
  public RootFs rootFs() {
    return root;
  }

  @Override
  public Optional<ImageSource> base() {
    return base;
  }

  /** The keys of the image's {@code /etc/kairos-release}, sorted (read now). */
  @Override
  public SortedMap<String, String> kairosRelease() {
    try {
      return KairosRelease.read(root);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + KairosRelease.PATH, e);
    }
  }

  @Override
  public SourceDate sourceDate() {
    return sourceDate;
  }

  /**
   * Makes an artifact from this image with {@code target}, reporting to the build's listeners, and
   * says what was made (where, its size and digest).
   *
   * @throws IllegalStateException if the build is closed
   */
  public Artifact output(ArtifactTarget target) throws IOException {
    Objects.requireNonNull(target, "target");
    requireOpen();
    return target.write(this, events);
  }

  /** Ends the use of this build; later {@link #output} and {@link #validate} calls fail. */
  @Override
  public void close() {
    closed = true;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this build is closed: its root may already belong to another build");
    }
  }
}
