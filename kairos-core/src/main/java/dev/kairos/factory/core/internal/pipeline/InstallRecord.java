package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.BuildOptions;
import dev.kairos.factory.core.api.BuildOptions.Option;
import dev.kairos.factory.core.api.Provider;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.distro.OsRelease;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.release.EnvFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The install phase's options, kept in the image so that a later init-only run builds the same
 * image as one {@code all} run without being told them again (kairos-init forgets them, so
 * {@code --fips} given only to the install call leaves {@code KAIROS_FIPS="false"}).
 */
final class InstallRecord {
  static final ImagePath PATH = ImagePath.of("/etc/kairos/kairos-factory-install.env");
  private static final String MODEL = "MODEL";
  private static final String ARCH = "ARCH";
  private static final String TRUSTED_BOOT = "TRUSTED_BOOT";
  private static final String FIPS = "FIPS";
  private static final String PROVIDERS = "PROVIDERS";
  private static final String SOURCE_DATE = "SOURCE_DATE_EPOCH";

  private InstallRecord() {}

  static void write(RootFs root, BuildOptions o, SourceDate date) throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(SOURCE_DATE, Long.toString(date.instant().getEpochSecond()));
    m.put(MODEL, o.model().id());
    m.put(ARCH, o.arch().id());
    m.put(TRUSTED_BOOT, Boolean.toString(o.trustedBoot()));
    m.put(FIPS, Boolean.toString(o.fips()));
    List<String> providers = new ArrayList<>();
    o.providers().forEach(p -> providers.add(p.name() + "=" + p.version()));
    m.put(PROVIDERS, String.join(",", providers));
    root.write(PATH, EnvFile.format(m).getBytes(StandardCharsets.UTF_8), 0644);
  }

  /**
   * The source date the install phase used, if the image has a record of it: an init-only run
   * takes it, since the install phase has changed the package database the date comes from.
   */
  static Optional<Instant> sourceDate(RootFs root) throws IOException {
    if (!root.isRegularFile(PATH)) {
      return Optional.empty();
    }
    String v = OsRelease.parse(PATH.toString(), root.readString(PATH)).fields().getOrDefault(SOURCE_DATE, "");
    try {
      return v.isBlank() ? Optional.empty() : Optional.of(Instant.ofEpochSecond(Long.parseLong(v.trim())));
    } catch (NumberFormatException e) {
      return Optional.empty(); // a hand-edited record: the package database decides
    }
  }

  /**
   * The options for an init run: what the caller set wins, the rest comes from the record when
   * there is one. Reports which options were taken and which differ from the record.
   */
  static BuildOptions merge(RootFs root, BuildOptions given, EventListener events) throws IOException {
    if (!root.isRegularFile(PATH)) {
      return given;
    }
    Map<String, String> rec = OsRelease.read(root, PATH).fields();
    BuildOptions.Builder b = given.toBuilder();
    List<String> taken = new ArrayList<>();
    List<String> differ = new ArrayList<>();
    String model = rec.getOrDefault(MODEL, given.model().id());
    String arch = rec.getOrDefault(ARCH, given.arch().id());
    boolean trusted = Boolean.parseBoolean(rec.getOrDefault(TRUSTED_BOOT, Boolean.toString(given.trustedBoot())));
    boolean fips = Boolean.parseBoolean(rec.getOrDefault(FIPS, Boolean.toString(given.fips())));
    List<Provider> providers = new ArrayList<>();
    for (String p : rec.getOrDefault(PROVIDERS, "").split(",")) {
      if (!p.isBlank()) {
        int eq = p.indexOf('=');
        providers.add(Provider.of(eq < 0 ? p : p.substring(0, eq), eq < 0 ? "" : p.substring(eq + 1)));
      }
    }
    if (consider(given, Option.MODEL, !model.equals(given.model().id()), taken, differ)) {
      b.model(Model.parse(model));
    }
    if (consider(given, Option.ARCH, !arch.equals(given.arch().id()), taken, differ)) {
      b.arch(Architecture.parse(arch));
    }
    if (consider(given, Option.TRUSTED_BOOT, trusted != given.trustedBoot(), taken, differ)) {
      b.trustedBoot(trusted);
    }
    if (consider(given, Option.FIPS, fips != given.fips(), taken, differ)) {
      b.fips(fips);
    }
    boolean sameProviders = providers.stream().map(Provider::toString).toList()
        .equals(given.providers().stream().map(Provider::toString).toList());
    if (consider(given, Option.PROVIDERS, !sameProviders, taken, differ)) {
      providers.forEach(b::provider);
    }
    if (!taken.isEmpty()) {
      events.log(KairosEvent.Level.INFO, "init: taking " + String.join(", ", taken) + " from the install phase (" + PATH + ")");
    }
    if (!differ.isEmpty()) {
      events.log(KairosEvent.Level.WARN, "init: " + String.join(", ", differ) + " differ from the install phase ("
          + PATH + "); using the values given now");
    }
    return b.build();
  }

  /** Whether to take the recorded value of {@code o}: only when it differs and was not given. */
  private static boolean consider(BuildOptions given, Option o, boolean differs, List<String> taken, List<String> differ) {
    if (!differs) {
      return false;
    }
    String name = o.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    if (given.explicit().contains(o)) {
      differ.add(name);
      return false;
    }
    taken.add(name);
    return true;
  }
}
