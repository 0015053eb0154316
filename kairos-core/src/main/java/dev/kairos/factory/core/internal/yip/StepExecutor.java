package dev.kairos.factory.core.internal.yip;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.yip.YipEffect.Kind;
import dev.kairos.factory.core.api.yip.YipLocation;
import dev.kairos.factory.core.api.yip.YipPlan;
import dev.kairos.factory.core.api.yip.YipReport;
import dev.kairos.factory.core.api.yip.YipReport.Status;
import dev.kairos.factory.core.api.yip.YipStep;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * Runs planned yip steps on a root file system: conditionals first (a failed one skips the step,
 * never an error), then every key in yip's fixed order, each key running even if an earlier one
 * failed. With {@code strict}, the run stops after the first failing step.
 */
public final class StepExecutor {
  /** The settings of a run; {@code packages} finds the image's package manager when a step needs it. */
  public record Settings(CommandRunner runner, PackageManagerLookup packages, String arch,
      boolean dryRun, boolean strict, Random random, long days, EventListener events) {}

  /** Finds the package manager of an image. */
  public interface PackageManagerLookup {
    PackageManager find(RootFs root) throws IOException;
  }

  private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[-+]?[0-9]+");

  private final RootFs root;
  private final Settings s;
  private final Target t;
  private final Accounts accounts;
  private final Services services;

  public StepExecutor(RootFs root, Settings settings) {
    this.root = root;
    this.s = settings;
    this.t = new Target(root, settings.dryRun());
    this.accounts = new Accounts(t, settings.random(), settings.days());
    this.services = new Services(t);
  }

  /** Runs the plan and reports every step and effect. */
  public YipReport run(YipPlan plan) throws IOException {
    List<YipReport.StepResult> results = new ArrayList<>();
    for (YipPlan.PlannedStep p : plan.steps()) {
      t.step(p.id());
      long start = System.nanoTime();
      s.events().onEvent(new KairosEvent.StepStarted(p.id(), "yip " + plan.stage() + " step at " + p.step().location()));
      Outcome out = new Outcome();
      String skip;
      Status status;
      try {
        skip = conditions(p.step(), out);
        if (skip != null) {
          status = Status.SKIPPED;
        } else {
          apply(p.step(), out);
          status = out.errors.isEmpty() ? Status.APPLIED : Status.FAILED;
        }
      } catch (GoTemplate.LimitException e) {
        // Hostile input, not a failing step: the whole run stops, naming where it was written.
        YipLocation at = p.step().location();
        throw new InvalidInputException(at.source(), at.line(), at.column(), "step " + p.id() + ": "
            + e.getMessage());
      }
      results.add(new YipReport.StepResult(p.id(), p.step().location(), status, skip == null ? "" : skip,
          out.errors, out.notes));
      for (String e : out.errors) {
        s.events().log(KairosEvent.Level.ERROR, p.id() + ": " + e);
      }
      for (String n : out.notes) {
        s.events().log(KairosEvent.Level.WARN, p.id() + ": " + n);
      }
      s.events().onEvent(new KairosEvent.StepFinished(p.id(), java.time.Duration.ofNanos(System.nanoTime() - start),
          status == Status.SKIPPED));
      if (s.strict() && status == Status.FAILED) {
        break;
      }
    }
    return new YipReport(plan.stage(), s.dryRun(), results, List.copyOf(t.effects()));
  }

  // ------------------------------------------------------------------ conditionals

  private Map<String, String> osRelease() throws IOException {
    Map<String, String> m = new HashMap<>();
    Optional<String> text = t.readIfExists(ImagePath.of("/etc/os-release"));
    if (text.isEmpty()) {
      text = t.readIfExists(ImagePath.of("/usr/lib/os-release"));
    }
    for (String l : text.orElse("").split("\n")) {
      int eq = l.indexOf('=');
      if (eq > 0 && !l.startsWith("#")) {
        String v = l.substring(eq + 1).strip();
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
          v = v.substring(1, v.length() - 1);
        }
        m.put(l.substring(0, eq).strip(), v);
      }
    }
    return m;
  }

  private String hostname() throws IOException {
    return t.readIfExists(ImagePath.of("/etc/hostname")).orElse("").strip();
  }

  private static boolean matches(String regex, String value) {
    try {
      return Pattern.compile(regex).matcher(value).find();
    } catch (PatternSyntaxException e) {
      return false;
    }
  }

  /** The reason the step is skipped, or null if it runs. */
  private String conditions(YipStep step, Outcome out) throws IOException {
    if (!step.node().isEmpty() && !matches(step.node(), hostname())) {
      return "node: " + step.node() + " does not match the hostname '" + hostname() + "'";
    }
    if (!step.ifCommand().isEmpty()) {
      String cmd = GoTemplate.expandOrKeep(step.ifCommand(), values());
      if (s.dryRun()) {
        out.note("if: " + cmd + " not evaluated in a dry run; assumed true");
      } else if (s.runner() == null) {
        out.note("if: no command runner configured; assumed false");
        return "if: " + cmd + " (no command runner)";
      } else {
        CommandResult r = s.runner().run(root, Command.builder("/bin/sh", "-c", cmd).output(s.events()).build());
        if (!r.succeeded()) {
          return "if: " + cmd + " exited " + r.exitCode();
        }
      }
    }
    Map<String, String> os = osRelease();
    String pretty = os.getOrDefault("PRETTY_NAME", "");
    if (!step.onlyOs().isEmpty() && (pretty.isEmpty() || !matches(step.onlyOs(), pretty))) {
      return "only_os: " + step.onlyOs() + " does not match '" + pretty + "'";
    }
    String version = os.getOrDefault("VERSION_ID", "");
    if (!step.onlyOsVersion().isEmpty() && (version.isEmpty() || !matches(step.onlyOsVersion(), version))) {
      return "only_os_version: " + step.onlyOsVersion() + " does not match '" + version + "'";
    }
    if (!step.onlyArch().isEmpty() && !matches(step.onlyArch(), s.arch())) {
      return "only_arch: " + step.onlyArch() + " does not match '" + s.arch() + "'";
    }
    if (!step.onlyServiceManager().isEmpty()) {
      String want = step.onlyServiceManager().toLowerCase(java.util.Locale.ROOT);
      Optional<String> have = services.serviceManager();
      if (have.isEmpty() || !have.get().equals(want)) {
        return "only_service_manager: " + want + ", the image has " + have.orElse("none or both");
      }
    }
    for (Map.Entry<String, List<String>> c : step.ifFiles().entrySet()) {
      if (c.getValue().isEmpty()) {
        continue; // no constraint (yip passes the whole test here)
      }
      int present = 0;
      for (String p : c.getValue()) {
        present += t.exists(ImagePath.of(p)) ? 1 : 0;
      }
      boolean ok;
      switch (c.getKey()) {
        case "all": ok = present == c.getValue().size(); break;
        case "any": ok = present > 0; break;
        case "none": ok = present == 0; break;
        default: ok = false;
      }
      if (!ok) {
        return "if_files." + c.getKey() + ": " + c.getValue();
      }
    }
    return null;
  }

  /** The template data: {@code .Values} with what the image tells at build time. */
  private Map<String, Object> values() throws IOException {
    Map<String, String> os = osRelease();
    Map<String, Object> v = new LinkedHashMap<>();
    Map<String, Object> node = new LinkedHashMap<>();
    putIf(node, "hostname", hostname());
    String machineId = t.readIfExists(ImagePath.of("/etc/machine-id")).orElse("").strip();
    putIf(node, "machineid", machineId);
    v.put("node", node);
    Map<String, Object> o = new LinkedHashMap<>();
    putIf(o, "name", os.getOrDefault("PRETTY_NAME", ""));
    putIf(o, "vendor", os.getOrDefault("ID", ""));
    putIf(o, "version", os.getOrDefault("VERSION_ID", ""));
    putIf(o, "architecture", s.arch());
    v.put("os", o);
    Map<String, Object> kernel = new LinkedHashMap<>();
    putIf(kernel, "architecture", s.arch());
    v.put("kernel", kernel);
    v.put("Random", random32());
    v.put("ProtectedID", protectedId(machineId));
    return Map.of("Values", v);
  }

  private static void putIf(Map<String, Object> m, String k, String v) {
    if (!v.isEmpty()) {
      m.put(k, v);
    }
  }

  private String random32() {
    String chars = "0123456789abcdefghijklmnopqrstuvwxyz";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 32; i++) {
      b.append(chars.charAt(s.random().nextInt(chars.length())));
    }
    return b.toString();
  }

  private static String protectedId(String machineId) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(machineId.isEmpty() ? new byte[1]
          : machineId.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return java.util.HexFormat.of().formatHex(mac.doFinal("yip".getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ plugins, in yip's order

  private interface Plugin {
    void run() throws IOException;
  }

  private void plugin(Outcome out, String key, Plugin p) {
    try {
      p.run();
    } catch (GoTemplate.LimitException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      out.error(key + ": " + e.getMessage());
    }
  }

  private void notApplicable(Outcome out, String key, String target, String why) {
    t.effect(Kind.NOT_APPLICABLE, target, key + ": " + why);
    out.note(key + " " + target + ": not applicable at build time (" + why + ")");
  }

  private void apply(YipStep st, Outcome out) throws IOException {
    Map<String, Object> values = values();
    plugin(out, "dns", () -> dns(st.dns()));
    for (YipStep.Download d : st.downloads()) {
      notApplicable(out, "downloads", d.url() + " -> " + d.path(), "needs the network");
    }
    if (!st.git().url().isEmpty()) {
      notApplicable(out, "git", st.git().url() + " -> " + st.git().path(), "needs the network");
    }
    for (YipStep.EntityEdit e : st.ensureEntities()) {
      plugin(out, "ensure_entities", () -> accounts.entity(e, false, GoTemplate.expandOrKeep(e.entity(), values)));
    }
    for (YipStep.DirectoryEntry d : st.directories()) {
      plugin(out, "directories " + d.path(), () -> directory(d));
    }
    for (YipStep.FileEntry f : st.files()) {
      plugin(out, "files " + f.path(), () -> file(f, values));
    }
    for (String c : st.commands()) {
      plugin(out, "commands", () -> command(GoTemplate.expandOrKeep(c, values), out));
    }
    for (YipStep.EntityEdit e : st.deleteEntities()) {
      plugin(out, "delete_entities", () -> accounts.entity(e, true, GoTemplate.expandOrKeep(e.entity(), values)));
    }
    if (!st.hostname().isEmpty()) {
      plugin(out, "hostname", () -> hostname(st.hostname(), out));
    }
    if (!st.sysctl().isEmpty()) {
      plugin(out, "sysctl", () -> keyValueFile(ImagePath.of("/etc/sysctl.d/99-yip.conf"), st.sysctl()));
    }
    accounts.users(st.users(), out);
    for (Map.Entry<String, List<String>> k : st.authorizedKeys().entrySet()) {
      plugin(out, "authorized_keys." + k.getKey(), () -> accounts.authorizedKeys(k.getKey(), k.getValue(), out));
    }
    if (!st.modules().isEmpty()) {
      plugin(out, "modules", () -> modules(st.modules()));
    }
    if (!st.timesyncd().isEmpty()) {
      plugin(out, "timesyncd", () -> timesyncd(st.timesyncd()));
    }
    if (!st.systemctl().isEmpty()) {
      plugin(out, "systemctl", () -> services.apply(st.systemctl(), out));
    }
    if (!st.environment().isEmpty()) {
      plugin(out, "environment", () -> environment(st.environmentFile(), st.environment(), values));
    }
    if (!st.systemdFirstboot().isEmpty()) {
      List<String> args = new ArrayList<>();
      st.systemdFirstboot().forEach((k, v) -> args.add("--" + k.toLowerCase(java.util.Locale.ROOT)
          + (v.equals("true") ? "" : "=" + v)));
      java.util.Collections.sort(args);
      args.add(0, "systemd-firstboot");
      plugin(out, "systemd_firstboot", () -> run(Command.of(args), out));
    }
    if (!st.datasource().isEmpty()) {
      notApplicable(out, "datasource", String.join(",", st.datasource().providers()), "reads cloud metadata at boot");
    }
    if (!st.layout().isEmpty()) {
      String dev = st.layout().devicePath().isEmpty() ? "label " + st.layout().deviceLabel()
          : st.layout().devicePath();
      notApplicable(out, "layout", dev, "partitions a disk of a running machine");
    }
    if (!st.packagePins().isEmpty()) {
      plugin(out, "package_pins", () -> pins(st.packagePins(), out));
    }
    if (st.packages().isActive()) {
      plugin(out, "packages", () -> packages(st.packages(), values, out));
    }
    for (YipStep.ImageUnpack u : st.unpackImages()) {
      notApplicable(out, "unpack_images", u.source() + " -> " + u.target(), "needs a registry");
    }
  }

  private void dns(YipStep.Dns d) throws IOException {
    if (d.nameservers().isEmpty()) {
      return;
    }
    StringBuilder b = new StringBuilder();
    String search = String.join(" ", d.search());
    if (!search.isEmpty() && !search.equals(".")) {
      b.append("search ").append(search).append('\n');
    }
    for (String ns : d.nameservers()) {
      b.append("nameserver ").append(ns).append('\n');
    }
    String options = String.join(" ", d.options()).strip();
    if (!options.isEmpty()) {
      b.append("options ").append(options).append('\n');
    }
    ImagePath p = ImagePath.of(d.path().isEmpty() ? "/etc/resolv.conf" : d.path());
    t.mkdirs(p.parent(), 0755, 0, 0);
    t.writeString(p, b.toString());
  }

  private void directory(YipStep.DirectoryEntry d) throws IOException {
    ImagePath p = ImagePath.of(d.path());
    Optional<FileMetadata> m = t.stat(p, true);
    if (m.isPresent()) {
      if (!t.isDirectory(p)) {
        throw new IOException("already exists and it is not a directory");
      }
      t.chmod(p, d.permissions());
      t.chown(p, d.owner(), d.group());
      return;
    }
    t.mkdirs(p, d.permissions(), d.owner(), d.group());
  }

  private void file(YipStep.FileEntry f, Map<String, Object> values) throws IOException {
    ImagePath p = ImagePath.of(f.path());
    if (!t.exists(p.parent())) {
      int mode = f.permissions() < 0700 ? f.permissions() | 0100 : f.permissions();
      t.mkdirs(p.parent(), mode, f.owner(), f.group());
    }
    byte[] content;
    try {
      content = decode(f.content(), f.encoding());
    } catch (IOException | IllegalArgumentException e) {
      t.write(p, new byte[0]); // yip creates the file before decoding
      throw new IOException("cannot decode content as " + f.encoding() + ": " + e.getMessage());
    }
    String text = new String(content, StandardCharsets.UTF_8);
    if (text.contains("{{")) {
      content = GoTemplate.expandOrKeep(text, values).getBytes(StandardCharsets.UTF_8);
    }
    t.write(p, content);
    t.chmod(p, f.permissions());
    if (!f.ownerString().isEmpty()) {
      int[] o = accounts.resolveOwner(f.ownerString());
      t.chown(p, o[0], o[1]);
    } else {
      t.chown(p, f.owner(), f.group());
    }
  }

  static byte[] decode(String content, String encoding) throws IOException {
    switch (encoding) {
      case "b64":
      case "base64":
        return Base64.getMimeDecoder().decode(content);
      case "gz":
      case "gzip":
        return gunzip(content.getBytes(StandardCharsets.ISO_8859_1));
      case "gz+base64":
      case "gzip+base64":
      case "gz+b64":
      case "gzip+b64":
        return gunzip(Base64.getMimeDecoder().decode(content));
      default:
        return content.getBytes(StandardCharsets.UTF_8); // any other value is plain text, as in yip
    }
  }

  private static byte[] gunzip(byte[] data) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
      return in.readNBytes(64 << 20);
    }
  }

  private void command(String cmd, Outcome out) throws IOException {
    run(Command.shell(cmd), out);
  }

  private void run(Command c, Outcome out) throws IOException {
    t.effect(Kind.COMMAND_RUN, String.join(" ", c.argv()), s.dryRun() ? "not run: dry run" : "");
    if (s.dryRun()) {
      return;
    }
    if (s.runner() == null) {
      throw new IOException("no command runner configured to run " + c);
    }
    s.runner().run(root, c.toBuilder().output(s.events()).build()).requireSuccess();
  }

  private void hostname(String template, Outcome out) throws IOException {
    String machineId = t.readIfExists(ImagePath.of("/etc/machine-id")).orElse("").strip();
    Map<String, Object> ctx = new HashMap<>();
    ctx.put("UUID", new java.util.UUID(s.random().nextLong() & ~0xf000L | 0x4000L,
        s.random().nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L).toString());
    ctx.put("Random", random32());
    ctx.put("MachineID", machineId);
    ctx.put("ProtectedID", protectedId(machineId));
    String name;
    try {
      name = GoTemplate.expand(template, ctx);
    } catch (GoTemplate.TemplateException e) {
      throw new IOException("template error: " + e.getMessage());
    }
    ImagePath etcHostname = ImagePath.of("/etc/hostname");
    t.mkdirs(etcHostname.parent(), 0755, 0, 0);
    t.writeString(etcHostname, name + "\n");
    ImagePath hosts = ImagePath.of("/etc/hosts");
    if (!t.exists(hosts)) {
      throw new IOException("/etc/hosts does not exist");
    }
    StringBuilder b = new StringBuilder();
    for (String l : t.readString(hosts).split("\n")) {
      String line = l.strip();
      String[] f = line.split("\\s+");
      b.append(f[0].equals("127.0.0.1") ? "127.0.0.1 localhost " + name : line).append('\n');
    }
    t.writeString(hosts, b.toString());
    out.note("hostname " + name + ": written to /etc/hostname and /etc/hosts (no kernel hostname at build time)");
  }

  /** Merges {@code key = value} lines into a sysctl.d style file, sorted. */
  private void keyValueFile(ImagePath file, Map<String, String> entries) throws IOException {
    TreeMap<String, String> all = new TreeMap<>();
    for (String l : t.readIfExists(file).orElse("").split("\n")) {
      int eq = l.indexOf('=');
      if (eq > 0 && !l.startsWith("#")) {
        all.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
      }
    }
    all.putAll(entries);
    StringBuilder b = new StringBuilder();
    all.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
    t.mkdirs(file.parent(), 0755, 0, 0);
    t.writeString(file, b.toString());
  }

  private void modules(List<String> modules) throws IOException {
    ImagePath load = ImagePath.of("/etc/modules-load.d/yip.conf");
    ImagePath options = ImagePath.of("/etc/modprobe.d/yip.conf");
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(
        List.of(t.readIfExists(load).orElse("").split("\n")));
    java.util.LinkedHashSet<String> opts = new java.util.LinkedHashSet<>(
        List.of(t.readIfExists(options).orElse("").split("\n")));
    names.remove("");
    opts.remove("");
    for (String m : modules) {
      String[] parts = m.strip().split("\\s+", 2);
      if (parts[0].isEmpty()) {
        continue;
      }
      names.add(parts[0]);
      if (parts.length > 1) {
        opts.add("options " + parts[0] + " " + parts[1]);
      }
    }
    t.mkdirs(load.parent(), 0755, 0, 0);
    t.writeString(load, String.join("\n", names) + "\n");
    if (!opts.isEmpty()) {
      t.mkdirs(options.parent(), 0755, 0, 0);
      t.writeString(options, String.join("\n", opts) + "\n");
    }
  }

  private void timesyncd(Map<String, String> entries) throws IOException {
    ImagePath etc = ImagePath.of("/etc/systemd");
    if (!t.isDirectory(etc)) {
      throw new IOException("/etc/systemd does not exist");
    }
    ImagePath dir = etc.resolve("timesyncd.conf.d");
    if (!t.exists(dir)) {
      t.mkdir(dir, 0755, 0, 0);
    }
    ImagePath file = dir.resolve("10-yip.conf");
    LinkedHashMap<String, LinkedHashMap<String, String>> ini = new LinkedHashMap<>();
    String section = "";
    for (String raw : t.readIfExists(file).orElse("").split("\n")) {
      String l = raw.strip();
      if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
        continue;
      }
      if (l.startsWith("[") && l.endsWith("]")) {
        section = l.substring(1, l.length() - 1);
        ini.computeIfAbsent(section, k -> new LinkedHashMap<>());
        continue;
      }
      int eq = l.indexOf('=');
      if (eq > 0) {
        String v = l.substring(eq + 1).strip();
        if (v.length() >= 2 && (v.startsWith("`") && v.endsWith("`") || v.startsWith("\"") && v.endsWith("\""))) {
          v = v.substring(1, v.length() - 1);
        }
        ini.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(l.substring(0, eq).strip(), v);
      }
    }
    ini.computeIfAbsent("Time", k -> new LinkedHashMap<>()).putAll(entries);
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, LinkedHashMap<String, String>> sec : ini.entrySet()) {
      if (b.length() > 0) {
        b.append('\n');
      }
      if (!sec.getKey().isEmpty()) {
        b.append('[').append(sec.getKey()).append("]\n");
      }
      int width = sec.getValue().keySet().stream().mapToInt(String::length).max().orElse(0);
      for (Map.Entry<String, String> e : sec.getValue().entrySet()) {
        String v = e.getValue();
        if (v.contains("#") || v.contains(";")) {
          v = "`" + v + "`";
        } else if (!v.equals(v.strip())) {
          v = "\"" + v + "\"";
        }
        b.append(String.format("%-" + width + "s = %s%n", e.getKey(), v).replace(System.lineSeparator(), "\n"));
      }
    }
    t.writeString(file, b.toString());
  }

  private void environment(String fileName, Map<String, String> entries, Map<String, Object> values)
      throws IOException {
    ImagePath file = ImagePath.of(fileName.isEmpty() ? "/etc/environment" : fileName);
    if (!t.exists(file.parent())) {
      t.mkdirs(file.parent(), 0744, 0, 0);
    }
    TreeMap<String, String> env = Dotenv.parse(t.readIfExists(file).orElse(""));
    entries.forEach((k, v) -> env.put(k, GoTemplate.expandOrKeep(v, values)));
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String v = e.getValue();
      b.append(e.getKey()).append('=');
      if (DECIMAL.matcher(v).matches() && v.replaceFirst("^[-+]", "").length() < 19) {
        b.append(Long.parseLong(v.startsWith("+") ? v.substring(1) : v));
      } else {
        b.append('"');
        for (char c : v.toCharArray()) {
          switch (c) {
            case '\\': b.append("\\\\"); break;
            case '\n': b.append("\\n"); break;
            case '\r': b.append("\\r"); break;
            case '"': b.append("\\\""); break;
            case '!': b.append("\\!"); break;
            case '$': b.append("\\$"); break;
            case '`': b.append("\\`"); break;
            default: b.append(c);
          }
        }
        b.append('"');
      }
      b.append('\n');
    }
    t.writeString(file, b.toString());
    t.chmod(file, 0644);
  }

  private String osId() throws IOException {
    return osRelease().getOrDefault("ID", "");
  }

  private void pins(Map<String, String> pins, Outcome out) throws IOException {
    String id = osId();
    if (id.equals("debian") || id.equals("ubuntu")) {
      StringBuilder b = new StringBuilder("# Package pins written by yip\n");
      pins.forEach((p, v) -> {
        if (v.isEmpty()) {
          out.note("package_pins." + p + ": empty version skipped");
        } else {
          b.append("\nPackage: ").append(p).append("\nPin: version ").append(v).append("\nPin-Priority: 1001\n");
        }
      });
      ImagePath f = ImagePath.of("/etc/apt/preferences.d/99-yip-pins");
      t.mkdirs(f.parent(), 0755, 0, 0);
      t.writeString(f, b.toString());
    } else if (List.of("fedora", "rocky", "ol", "almalinux", "rhel", "centos", "openEuler").contains(id)) {
      ImagePath conf = ImagePath.of("/etc/dnf/plugins/versionlock.conf");
      ImagePath list = ImagePath.of("/etc/dnf/plugins/versionlock.list");
      t.mkdirs(conf.parent(), 0755, 0, 0);
      t.writeString(conf, "[main]\nenabled = 1\nlocklist = " + list + "\n");
      StringBuilder b = new StringBuilder();
      pins.forEach((p, v) -> {
        if (!v.isEmpty()) {
          b.append(p).append('-').append(v).append("*\n");
        }
      });
      t.writeString(list, b.toString());
    } else {
      notApplicable(out, "package_pins", String.join(",", pins.keySet()), "no build-time pinning for '" + id + "'");
    }
  }

  private void packages(YipStep.Packages p, Map<String, Object> values, Outcome out) throws IOException {
    if (s.packages() == null) {
      throw new IOException("no package manager configured");
    }
    PackageManager pm = s.packages().find(root);
    Function<List<String>, List<String>> tpl = l -> l.stream().map(x -> GoTemplate.expandOrKeep(x, values)).toList();
    List<Command> cmds = new ArrayList<>();
    if (p.refresh()) {
      cmds.add(pm.refresh());
    }
    if (p.upgrade()) {
      cmds.add(pm.upgrade());
    }
    if (!p.install().isEmpty()) {
      cmds.add(pm.install(tpl.apply(p.install())));
    }
    if (!p.remove().isEmpty()) {
      cmds.add(pm.remove(tpl.apply(p.remove())));
    }
    for (Command c : cmds) {
      run(c, out); // the first failure aborts the rest, as in yip
    }
    t.effect(Kind.PACKAGES_CHANGED, "install " + p.install() + " remove " + p.remove(),
        s.dryRun() ? "not run: dry run" : "");
  }
}
