package dev.kairos.factory.core.api.image;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.release.KairosRelease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;

/** A Kairos image ready to be turned into artifacts: its root, where it came from, its release data. */
public interface BuiltImage {
  /** The prepared root file system. */
  RootFs rootFs();

  /** The base it was built from, if it came from an {@link ImageSource} (a target may reuse its layers). */
  Optional<ImageSource> base();

  /** The keys of the image's {@code /etc/kairos-release}, sorted. */
  SortedMap<String, String> kairosRelease();

  /** The timestamp every output clamps its times to. */
  SourceDate sourceDate();

  /**
   * An image that was prepared earlier, such as a root a previous build left on disk: targets can
   * write it without running a build again.
   *
   * <pre>{@code
   * LiveIso.to(Path.of("out/kairos.iso")).write(BuiltImage.of(RootFs.at(Path.of("rootfs")), date), events);
   * }</pre>
   */
  static BuiltImage of(RootFs root, SourceDate sourceDate) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(sourceDate, "sourceDate");
    return new BuiltImage() {
      @Override
      public RootFs rootFs() {
        return root;
      }

      @Override
      public Optional<ImageSource> base() {
        return Optional.empty();
      }

      @Override
      public SortedMap<String, String> kairosRelease() {
        return readRelease(root);
      }

      @Override
      public SourceDate sourceDate() {
        return sourceDate;
      }
    };
  }

  /** The keys of {@code root}'s {@code /etc/kairos-release} (none if it has no such file). */
  private static SortedMap<String, String> readRelease(RootFs root) {
    try {
      return KairosRelease.read(root);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + KairosRelease.PATH, e);
    }
  }
}
