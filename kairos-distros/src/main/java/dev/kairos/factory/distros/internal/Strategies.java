package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.distro.DistroStrategy;
import java.util.List;

/** Every strategy of this module, in family order (the same set the service file names). */
public final class Strategies {
  private static final List<DistroStrategy> ALL = List.of(new DebianStrategy(), new RedHatStrategy(),
      new SuseStrategy(), new AlpineStrategy(), new ArchStrategy(), new HadronStrategy());

  private Strategies() {}

  public static List<DistroStrategy> all() {
    return ALL;
  }

  /** Every distro id the strategies recognise. */
  static List<String> distroIds() {
    return ALL.stream().flatMap(s -> s.distroIds().stream()).toList();
  }
}
