package dev.kairos.factory.core.api.image;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.RootFs;
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
}
