package dev.kairos.factory.oci.internal.image;

import dev.kairos.factory.core.api.fs.RootFs;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * Remembers which base image each materialised root came from, so that a target can write a diff
 * layer on top of the base's layers without the core's API knowing about OCI. Weak: forgotten with
 * the root.
 */
public final class BaseImages {
  private static final Map<RootFs, BaseImage> BASES = new WeakHashMap<>();

  private BaseImages() {}

  public static synchronized void register(RootFs root, BaseImage base) {
    BASES.put(root, base);
  }

  public static synchronized Optional<BaseImage> of(RootFs root) {
    return Optional.ofNullable(BASES.get(root));
  }
}
