package dev.kairos.factory.core.internal.yip;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.yip.YipEffect.Kind;
import dev.kairos.factory.core.api.yip.YipStep;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code systemctl} done offline, as {@code systemctl --root} does it: enable links the unit into
 * the {@code .wants}/{@code .requires} directories of its {@code [Install]} section's
 * {@code WantedBy=}/{@code RequiredBy=} targets and makes its {@code Alias=} names, following
 * {@code Also=}; disable removes those links; mask links the unit to {@code /dev/null}. On an
 * OpenRC image, enable and disable edit the {@code default} runlevel.
 */
final class Services {
  static final ImagePath ETC_SYSTEMD = ImagePath.of("/etc/systemd/system");
  private static final List<String> UNIT_DIRS = List.of("/etc/systemd/system", "/run/systemd/system",
      "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system");
  private static final List<String> BIN_DIRS = List.of("/sbin", "/bin", "/usr/sbin", "/usr/bin");

  private final Target t;

  Services(Target t) {
    this.t = t;
  }

  /** {@code systemd}, {@code openrc}, or empty when the image has both or neither (yip's test). */
  Optional<String> serviceManager() throws IOException {
    boolean systemd = false;
    boolean openrc = false;
    for (String d : BIN_DIRS) {
      systemd |= t.exists(ImagePath.of(d, "systemctl"));
      openrc |= t.exists(ImagePath.of(d, "openrc"));
    }
    if (systemd == openrc) {
      return Optional.empty();
    }
    return Optional.of(systemd ? "systemd" : "openrc");
  }

  void apply(YipStep.Systemctl s, Outcome out) throws IOException {
    boolean openrc = serviceManager().filter("openrc"::equals).isPresent();
    for (String u : s.enable()) {
      guard(out, "enable " + u, () -> {
        if (openrc) {
          rcEnable(u);
        } else {
          enable(unitName(u), new HashSet<>(), out);
        }
      });
    }
    for (String u : s.disable()) {
      guard(out, "disable " + u, () -> {
        if (openrc) {
          rcDisable(u);
        } else {
          disable(unitName(u));
        }
      });
    }
    for (String u : s.mask()) {
      guard(out, "mask " + u, () -> {
        if (openrc) {
          throw new IOException("OpenRC has no masking");
        }
        mask(unitName(u));
      });
    }
    for (String u : s.start()) {
      t.effect(Kind.NOT_APPLICABLE, u, "start: no running service manager at build time");
      out.note("systemctl start " + u + ": not applicable at build time (enable it to start it at boot)");
    }
    for (YipStep.UnitOverride o : s.overrides()) {
      if (o.service().isEmpty() || o.content().isEmpty()) {
        out.note("systemctl override skipped: service and content are required");
        continue;
      }
      guard(out, "override " + o.service(), () -> override(o));
    }
  }

  private interface Action {
    void run() throws IOException;
  }

  private static void guard(Outcome out, String what, Action a) {
    try {
      a.run();
    } catch (IOException | RuntimeException e) {
      out.error("systemctl " + what + ": " + e.getMessage());
    }
  }

  /** A bare name means a service, as systemctl assumes. */
  static String unitName(String u) {
    String base = u.contains("/") ? u.substring(u.lastIndexOf('/') + 1) : u;
    return base.matches(".*\\.(service|socket|target|timer|path|mount|automount|swap|slice|scope|device)") ? base
        : base + ".service";
  }

  /** The in-image path of the unit file: the instance's own file, else its template's. */
  private Optional<ImagePath> unitFile(String unit) throws IOException {
    List<String> names = new ArrayList<>(List.of(unit));
    int at = unit.indexOf('@');
    if (at > 0) {
      names.add(unit.substring(0, at + 1) + unit.substring(unit.lastIndexOf('.')));
    }
    for (String n : names) {
      for (String d : UNIT_DIRS) {
        ImagePath p = ImagePath.of(d, n);
        if (t.exists(p) && !isMaskLink(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private boolean isMaskLink(ImagePath p) throws IOException {
    return t.isSymlink(p) && t.readSymlink(p).equals("/dev/null");
  }

  /** The [Install] keys of a unit file: WantedBy, RequiredBy, Alias, Also, DefaultInstance. */
  private java.util.Map<String, List<String>> install(ImagePath file) throws IOException {
    java.util.Map<String, List<String>> m = new java.util.HashMap<>();
    boolean inInstall = false;
    String text = t.readString(file).replace("\\\n", " ");
    for (String raw : text.split("\n")) {
      String l = raw.strip();
      if (l.startsWith("[")) {
        inInstall = l.equals("[Install]");
        continue;
      }
      int eq = l.indexOf('=');
      if (!inInstall || eq < 0 || l.startsWith("#") || l.startsWith(";")) {
        continue;
      }
      String k = l.substring(0, eq).strip();
      String v = l.substring(eq + 1).strip();
      List<String> list = m.computeIfAbsent(k, x -> new ArrayList<>());
      if (v.isEmpty()) {
        list.clear();
      } else {
        list.addAll(List.of(v.split("\\s+")));
      }
    }
    return m;
  }

  private void enable(String unit, Set<String> seen, Outcome out) throws IOException {
    if (!seen.add(unit) || seen.size() > 64) {
      return;
    }
    ImagePath file = unitFile(unit).orElseThrow(() -> new IOException("unit " + unit + " not found in the image"));
    java.util.Map<String, List<String>> inst = install(file);
    String instance = unit;
    int at = unit.indexOf('@');
    if (at > 0 && unit.substring(at + 1).startsWith(".")) {
      List<String> di = inst.getOrDefault("DefaultInstance", List.of());
      if (di.isEmpty()) {
        throw new IOException("template unit " + unit + " needs an instance name (e.g. "
            + unit.substring(0, at + 1) + "tty1" + unit.substring(unit.indexOf('.', at)) + ")");
      }
      instance = unit.substring(0, at + 1) + di.get(0) + unit.substring(unit.indexOf('.', at));
    }
    boolean linked = false;
    for (String[] kind : new String[][] {{"WantedBy", ".wants"}, {"RequiredBy", ".requires"}}) {
      for (String target : inst.getOrDefault(kind[0], List.of())) {
        t.symlink(ETC_SYSTEMD.resolve(target + kind[1]).resolve(instance), file.toString());
        linked = true;
      }
    }
    for (String alias : inst.getOrDefault("Alias", List.of())) {
      t.symlink(ETC_SYSTEMD.resolve(alias), file.toString());
      linked = true;
    }
    for (String also : inst.getOrDefault("Also", List.of())) {
      enable(unitName(also), seen, out);
    }
    if (linked) {
      t.effect(Kind.UNIT_ENABLED, instance, file.toString());
    } else if (inst.getOrDefault("Also", List.of()).isEmpty()) {
      out.note("systemctl enable " + unit + ": the unit has no [Install] section; nothing to link (as systemctl)");
    }
  }

  private void disable(String unit) throws IOException {
    boolean removed = false;
    for (String dir : t.list(ETC_SYSTEMD)) {
      ImagePath d = ETC_SYSTEMD.resolve(dir);
      if ((dir.endsWith(".wants") || dir.endsWith(".requires")) && t.isDirectory(d)) {
        ImagePath link = d.resolve(unit);
        if (t.isSymlink(link)) {
          t.delete(link);
          removed = true;
        }
      }
    }
    Optional<ImagePath> file = unitFile(unit);
    if (file.isPresent()) {
      for (String alias : install(file.get()).getOrDefault("Alias", List.of())) {
        ImagePath link = ETC_SYSTEMD.resolve(alias);
        if (t.isSymlink(link)) {
          t.delete(link);
          removed = true;
        }
      }
    }
    if (removed) {
      t.effect(Kind.UNIT_DISABLED, unit, "");
    }
  }

  private void mask(String unit) throws IOException {
    t.symlink(ETC_SYSTEMD.resolve(unit), "/dev/null");
    t.effect(Kind.UNIT_MASKED, unit, "");
  }

  private void override(YipStep.UnitOverride o) throws IOException {
    String name = o.name().isEmpty() ? "override-yip.conf" : o.name();
    if (!name.endsWith(".conf")) {
      name = name + ".conf";
    }
    String service = o.service().endsWith(".service") ? o.service() : o.service() + ".service";
    ImagePath dir = ETC_SYSTEMD.resolve(service + ".d");
    t.mkdirs(dir, 0755, 0, 0);
    ImagePath file = dir.resolve(name);
    t.writeString(file, o.content());
  }

  private void rcEnable(String service) throws IOException {
    ImagePath script = ImagePath.of("/etc/init.d", service);
    if (!t.exists(script)) {
      throw new IOException("service " + service + " not found in /etc/init.d");
    }
    t.symlink(ImagePath.of("/etc/runlevels/default", service), script.toString());
    t.effect(Kind.UNIT_ENABLED, service, "runlevel default");
  }

  private void rcDisable(String service) throws IOException {
    for (String level : t.list(ImagePath.of("/etc/runlevels"))) {
      ImagePath link = ImagePath.of("/etc/runlevels", level, service);
      if (t.isSymlink(link)) {
        t.delete(link);
        t.effect(Kind.UNIT_DISABLED, service, "runlevel " + level);
      }
    }
  }
}
