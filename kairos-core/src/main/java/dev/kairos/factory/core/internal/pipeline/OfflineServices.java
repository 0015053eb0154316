package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.distro.ServiceAction;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Enables, disables, masks and unmasks services without running anything, as
 * {@code systemctl --root} and {@code rc-update} would: by making and removing the symlinks
 * under {@code /etc/systemd/system} (from each unit's {@code [Install]} section) or under
 * {@code /etc/runlevels}. A unit that is not installed is reported and left alone, so one missing
 * optional service does not fail a build.
 */
final class OfflineServices {
  static final ImagePath ETC_UNITS = ImagePath.of("/etc/systemd/system");
  private static final List<ImagePath> UNIT_DIRS = List.of(ETC_UNITS, ImagePath.of("/usr/lib/systemd/system"),
      ImagePath.of("/lib/systemd/system"));

  private final RootFs root;
  private final EventListener events;

  OfflineServices(RootFs root, EventListener events) {
    this.root = root;
    this.events = events;
  }

  void apply(ServiceAction a) throws IOException {
    switch (a.verb()) {
      case ENABLE -> enable(unitName(a.unit()), new ArrayList<>());
      case DISABLE -> disable(unitName(a.unit()));
      case MASK -> link(ETC_UNITS.resolve(unitName(a.unit())), "/dev/null");
      case UNMASK -> unmask(unitName(a.unit()));
      case RC_ADD -> rcAdd(a.unit(), a.runlevel());
    }
  }

  /** A bare name means a service, as systemctl reads it. */
  static String unitName(String unit) {
    return unit.contains(".") ? unit : unit + ".service";
  }

  /** Where the unit file of {@code unit} is (a template instance uses its template), if installed. */
  Optional<ImagePath> find(String unit) throws IOException {
    String file = unit.matches("[^@]+@[^.]+\\..+") ? unit.replaceFirst("@[^.]+\\.", "@.") : unit;
    for (ImagePath dir : UNIT_DIRS) {
      ImagePath p = dir.resolve(file);
      if (root.exists(p) && !isMasked(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private void enable(String unit, List<String> seen) throws IOException {
    if (seen.contains(unit)) {
      return;
    }
    seen.add(unit);
    Optional<ImagePath> file = find(unit);
    if (file.isEmpty()) {
      events.log(KairosEvent.Level.WARN, "services: unit " + unit + " is not installed; not enabled");
      return;
    }
    String text = root.isRegularFile(file.get()) ? root.readString(file.get()) : "";
    boolean any = false;
    for (String line : installSection(text)) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = line.substring(0, eq).strip();
      for (String value : line.substring(eq + 1).strip().split("\\s+")) {
        if (value.isEmpty()) {
          continue;
        }
        switch (key) {
          case "WantedBy" -> link(ETC_UNITS.resolve(value + ".wants").resolve(unit), file.get().toString());
          case "RequiredBy" -> link(ETC_UNITS.resolve(value + ".requires").resolve(unit), file.get().toString());
          case "Alias" -> link(ETC_UNITS.resolve(value), file.get().toString());
          case "Also" -> enable(unitName(value), seen);
          case "DefaultInstance" -> {
            if (unit.contains("@.")) {
              enable(unit.replace("@.", "@" + value + "."), seen);
            }
          }
          default -> {
            continue;
          }
        }
        any = true;
      }
    }
    if (!any) {
      events.log(KairosEvent.Level.WARN, "services: unit " + unit + " has no [Install] section; nothing to enable");
    }
  }

  private static List<String> installSection(String text) {
    List<String> out = new ArrayList<>();
    boolean in = false;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("[")) {
        in = line.equals("[Install]");
      } else if (in && !line.isEmpty() && !line.startsWith("#") && !line.startsWith(";")) {
        out.add(line);
      }
    }
    return out;
  }

  private void disable(String unit) throws IOException {
    if (!root.isDirectory(ETC_UNITS)) {
      return;
    }
    for (String dir : root.list(ETC_UNITS)) {
      ImagePath d = ETC_UNITS.resolve(dir);
      if ((dir.endsWith(".wants") || dir.endsWith(".requires")) && root.isDirectory(d)) {
        ImagePath l = d.resolve(unit);
        if (root.stat(l).map(m -> m.type() == FileType.SYMLINK).orElse(false)) {
          root.delete(l);
        }
      }
    }
  }

  private void unmask(String unit) throws IOException {
    ImagePath p = ETC_UNITS.resolve(unit);
    if (isMasked(p)) {
      root.delete(p);
    }
  }

  private boolean isMasked(ImagePath p) throws IOException {
    return root.stat(p).map(m -> m.type() == FileType.SYMLINK).orElse(false) && root.readSymlink(p).equals("/dev/null");
  }

  private void rcAdd(String service, String runlevel) throws IOException {
    if (!root.exists(ImagePath.of("/etc/init.d").resolve(service))) {
      events.log(KairosEvent.Level.WARN, "services: /etc/init.d/" + service + " is not installed; not added to " + runlevel);
      return;
    }
    link(ImagePath.of("/etc/runlevels").resolve(runlevel).resolve(service), "/etc/init.d/" + service);
  }

  private void link(ImagePath link, String target) throws IOException {
    if (root.stat(link).isPresent()) {
      root.delete(link);
    }
    root.createDirectories(link.parent());
    root.createSymlink(link, target);
  }
}
