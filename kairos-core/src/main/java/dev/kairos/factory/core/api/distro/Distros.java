package dev.kairos.factory.core.api.distro;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds the {@link DistroStrategy} for an image. Strategies come from {@link ServiceLoader}
 * (those of {@code kairos-distros} when it is on the class path) or from an explicit list.
 *
 * <p>Detection follows kairos-init: the os-release {@code ID} is looked up among every
 * strategy's {@link DistroStrategy#distroIds()}; if it is unknown, the {@code ID_LIKE} tokens
 * are tried left to right, each first as a distro id and then as a family marker
 * ({@link DistroStrategy#idLikeMarkers()}). So CentOS Stream ({@code ID=centos},
 * {@code ID_LIKE="rhel fedora"}) is detected as {@code rhel}.
 *
 * <pre>{@code
 * DistroInfo info = Distros.detect(root);   // or Distros.detect(root, List.of(myStrategy))
 * DistroStrategy s = Distros.strategy(info.family());
 * }</pre>
 */
public final class Distros {
  private Distros() {}

  /** The strategies found by {@link ServiceLoader}, ordered by family. */
  public static List<DistroStrategy> installed() {
    List<DistroStrategy> out = new ArrayList<>();
    ServiceLoader.load(DistroStrategy.class, Distros.class.getClassLoader()).forEach(out::add);
    out.sort(Comparator.comparing(DistroStrategy::family));
    return List.copyOf(out);
  }

  /** Detects the distro of {@code root} with the {@link #installed()} strategies. */
  public static DistroInfo detect(RootFs root) throws IOException {
    return detect(root, installed());
  }

  /**
   * Detects the distro of {@code root} with the given strategies.
   *
   * @throws dev.kairos.factory.core.api.InvalidInputException if the os-release file is missing or malformed
   * @throws UnsupportedTargetException if no strategy knows the distro; lists the supported ids
   */
  public static DistroInfo detect(RootFs root, List<DistroStrategy> strategies) throws IOException {
    OsRelease os = OsRelease.read(root);
    Optional<Match> m = byId(os.id(), strategies);
    for (String like : os.idLike()) {
      if (m.isPresent()) {
        break;
      }
      m = byId(like, strategies).or(() -> byMarker(like, strategies));
    }
    if (m.isEmpty()) {
      String value = os.id().isEmpty() ? "(no ID in " + os.source() + ")" : os.id();
      if (!os.idLike().isEmpty()) {
        value += " (ID_LIKE=" + String.join(" ", os.idLike()) + ")";
      }
      throw new UnsupportedTargetException("distro", value, supportedDistros(strategies));
    }
    return m.get().strategy.describe(root, os, m.get().distroId);
  }

  /** The installed strategy for {@code family}. */
  public static DistroStrategy strategy(Family family) throws UnsupportedTargetException {
    return strategy(family, installed());
  }

  /**
   * The strategy for {@code family} among {@code strategies}.
   *
   * @throws UnsupportedTargetException listing the families that have one
   */
  public static DistroStrategy strategy(Family family, List<DistroStrategy> strategies) throws UnsupportedTargetException {
    for (DistroStrategy s : strategies) {
      if (s.family() == family) {
        return s;
      }
    }
    throw new UnsupportedTargetException("family", family.id(),
        strategies.stream().map(s -> s.family().id()).toList());
  }

  /** Every distro id the strategies recognise, in strategy order. */
  public static List<String> supportedDistros(List<DistroStrategy> strategies) {
    return strategies.stream().flatMap(s -> s.distroIds().stream()).toList();
  }

  private record Match(DistroStrategy strategy, String distroId) {}

  private static Optional<Match> byId(String id, List<DistroStrategy> strategies) {
    return strategies.stream().filter(s -> s.distroIds().contains(id)).findFirst().map(s -> new Match(s, id));
  }

  private static Optional<Match> byMarker(String token, List<DistroStrategy> strategies) {
    return strategies.stream().filter(s -> s.idLikeMarkers().containsKey(token)).findFirst()
        .map(s -> new Match(s, s.idLikeMarkers().get(token)));
  }
}
