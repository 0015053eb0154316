package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Picks the kernel to boot from the directories of {@code /lib/modules} (kairos-init §9.1), with
 * two deliberate differences: the directory name is returned as it is (never a re-rendered
 * version that may not exist), and names that are not semantic versions (RHEL's
 * {@code 5.14.0-503.14.1.el9_5.x86_64}) are ordered by {@link NaturalOrder} instead of taking
 * the alphabetically first, so the newest kernel wins everywhere. Plain files are ignored.
 */
final class KernelChooser {
  static final ImagePath MODULES = ImagePath.of("/lib/modules");

  private KernelChooser() {}

  static String choose(RootFs root, Model model) throws IOException {
    if (!root.isDirectory(MODULES)) {
      throw new KairosException("no kernel versions found: " + MODULES + " does not exist in the image");
    }
    List<String> dirs = new ArrayList<>();
    for (String name : root.list(MODULES)) {
      if (root.isDirectory(MODULES.resolve(name))) {
        dirs.add(name);
      }
    }
    if (dirs.isEmpty()) {
      throw new KairosException("no kernel versions found: " + MODULES + " has no kernel directories");
    }
    if (model.isRaspberryPi()) {
      Optional<String> raspi = highest(dirs.stream().filter(d -> d.endsWith("-raspi")).toList());
      if (raspi.isPresent()) {
        return raspi.get();
      }
    }
    return highest(dirs).orElseThrow();
  }

  /** The highest name: by version where both parse (then by name), else in natural order. */
  static Optional<String> highest(List<String> names) {
    Comparator<String> byVersion = (a, b) -> {
      Optional<LenientVersion> va = LenientVersion.parse(a);
      Optional<LenientVersion> vb = LenientVersion.parse(b);
      if (va.isPresent() && vb.isPresent()) {
        int c = va.get().compareTo(vb.get());
        if (c != 0) {
          return c;
        }
      }
      return NaturalOrder.INSTANCE.compare(a, b);
    };
    return names.stream().max(byVersion);
  }
}
