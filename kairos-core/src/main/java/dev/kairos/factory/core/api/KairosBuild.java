package dev.kairos.factory.core.api;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactTarget;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.api.image.ImageSource;
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
 * {@code kairos-oci} and {@code kairos-boot}. Closing it releases nothing on disk: the root and
 * the work directory stay where the caller put them.
 *
 * <pre>{@code
 * try (KairosBuild build = Kairos.fromRoot(root).version("v1.0.0").build()) {
 *   build.kairosRelease().get("KAIROS_VERSION");   // v1.0.0
 *   build.output(target);
 * }
 * }</pre>
 */
public final class KairosBuild implements BuiltImage, AutoCloseable {
  private final RootFs root;
  private final Optional<ImageSource> base;
  private final SourceDate sourceDate;
  private final EventListener events;
  private final Validator validator;

  KairosBuild(RootFs root, Optional<ImageSource> base, SourceDate sourceDate, EventListener events, Validator validator) {
    this.root = Objects.requireNonNull(root, "root");
    this.base = base;
    this.sourceDate = sourceDate;
    this.events = events;
    this.validator = validator;
  }

  /** Checks the image with {@link Validator}, using the build's runner, distros and trusted-boot option. */
  public ValidationReport validate() throws IOException {
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

  /** Makes an artifact from this image with {@code target}, reporting to the build's listeners. */
  public Artifact output(ArtifactTarget target) throws IOException {
    return target.write(this, events);
  }

  @Override
  public void close() {
    // nothing held: the root and the work directory belong to the caller
  }
}
