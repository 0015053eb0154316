package dev.kairos.factory.distros.internal;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockedPackage;
import dev.kairos.factory.core.api.run.HostProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's apt, in a directory of its own (its own sources, lists, caches and a dpkg status
 * made from a lock), to resolve a lock's packages against a mirror as apt would install them:
 * nothing of the host's apt state is read or changed, and dpkg is never run ({@code -s}
 * simulations and downloads only). Repository signatures are checked with the host's trusted
 * keys ({@code /etc/apt/trusted.gpg.d}), but for {@code file:} and loopback repositories, which
 * are taken as trusted (a local repository made by {@code dpkg-scanpackages} is not signed).
 */
public final class HostApt {
  private static final Pattern INST = Pattern.compile("^Inst (\\S+)(?: \\[(\\S+)\\])? \\((\\S+) .*\\[(\\S+)\\]\\)");
  private static final Pattern REMV = Pattern.compile("^Remv (\\S+)(?: \\[(\\S+)\\])?");
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

  private final Path dir;
  private final Path config;
  private final String arch;
  private final Duration timeout;
  private final EventListener events;

  private HostApt(Path dir, String arch, Duration timeout, EventListener events) {
    this.dir = dir;
    this.config = dir.resolve("apt.conf");
    this.arch = arch;
    this.timeout = timeout;
    this.events = events;
  }

  /**
   * An apt of its own in {@code dir} (made if missing), for {@code arch}, with {@code mirrors} as
   * its sources (each {@code URL SUITE COMPONENT...}, or a flat repository's {@code URL}).
   */
  static HostApt in(Path dir, String arch, List<String> mirrors, Duration timeout, EventListener events) throws IOException {
    for (String d : List.of("etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/sources.list.d",
        "var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "var/lib/dpkg", "var/log/apt", "download")) {
      Files.createDirectories(dir.resolve(d));
    }
    String a = dir.toAbsolutePath().toString();
    // APT_CONFIG is read first; every other file apt reads is then under Dir, ours.
    String conf = "Dir \"" + a + "/\";\n"
        + "Dir::State::status \"" + a + "/var/lib/dpkg/status\";\n"
        + "Dir::Etc::TrustedParts \"/etc/apt/trusted.gpg.d/\";\n"
        + "Dir::Bin::dpkg \"/bin/false\";\n"
        + "APT::Architecture \"" + arch + "\";\n"
        + "APT::Architectures { \"" + arch + "\"; };\n"
        + "Acquire::Languages \"none\";\n"
        + "Debug::NoLocking \"true\";\n"
        + "APT::Sandbox::User \"root\";\n";
    Files.writeString(dir.resolve("apt.conf"), conf, StandardCharsets.UTF_8);
    StringBuilder sources = new StringBuilder();
    for (String m : mirrors) {
      sources.append(sourcesLine(m)).append('\n');
    }
    Files.writeString(dir.resolve("etc/apt/sources.list"), sources.toString(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("var/lib/dpkg/status"), "", StandardCharsets.UTF_8);
    return new HostApt(dir, arch, timeout, events);
  }

  /** {@code mirror} trimmed, when {@link #sourcesLine} takes it; see {@code LockUpdate#mirror}. */
  public static String checkMirror(String mirror) {
    sourcesLine(Objects.requireNonNull(mirror, "mirror"));
    return mirror.trim();
  }

  /**
   * The mirror of a lock whose base was bootstrapped: {@code URL SUITE COMPONENTS} from its
   * {@code base mirror}, {@code suite} and {@code components}, or for a lock without them, from
   * {@code debootstrap:SUITE:URL} with {@code main}.
   */
  public static Optional<String> baseMirror(Lock lock) {
    Map<String, String> base = lock.base();
    if (base.containsKey("mirror") && base.containsKey("suite")) { // format 2: the bootstrap's own entries
      return Optional.of(base.get("mirror") + " " + base.get("suite") + " "
          + base.getOrDefault("components", "main").replace(',', ' '));
    }
    String source = lock.base().getOrDefault("source", "");
    if (!source.startsWith("debootstrap:")) {
      return Optional.empty();
    }
    String rest = source.substring("debootstrap:".length());
    int colon = rest.indexOf(':');
    return colon < 0 ? Optional.empty() : Optional.of(rest.substring(colon + 1) + " " + rest.substring(0, colon) + " main");
  }

  /** See {@code LockUpdate#run}: {@code lock} re-resolved against {@code mirrors}, in {@code dir}. */
  public static Lock update(Lock lock, List<String> mirrors, Collection<String> names, Path dir, Duration timeout,
      EventListener events) throws IOException {
    String arch = lock.options().getOrDefault("arch", dev.kairos.factory.core.api.distro.Architecture.host().id());
    HostApt apt = in(dir, arch, mirrors, timeout, events);
    apt.update();
    apt.installed(lock.packages().values());
    return apt.apply(lock, apt.resolve(names));
  }

  /** One {@code deb} line for a mirror given as {@code URL SUITE COMPONENT...} or a flat repository's {@code URL}. */
  static String sourcesLine(String mirror) {
    String[] f = mirror.trim().split("\\s+");
    URI u;
    try {
      u = URI.create(f[0]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a mirror is a URL, optionally followed by a suite and components, got '"
          + mirror + "'", e);
    }
    if (u.getScheme() == null || !Set.of("http", "https", "file").contains(u.getScheme())) {
      throw new IllegalArgumentException("a mirror is an http, https or file URL, got '" + mirror + "'");
    }
    if (f.length == 2) {
      throw new IllegalArgumentException("a mirror with a suite needs a component too (e.g. 'URL bookworm main'), got '"
          + mirror + "'");
    }
    boolean trusted = u.getScheme().equals("file") || LOOPBACK.contains(String.valueOf(u.getHost()));
    String rest = f.length == 1 ? "./" : String.join(" ", List.of(f).subList(1, f.length));
    return "deb " + (trusted ? "[trusted=yes] " : "") + f[0] + " " + rest;
  }

  /** Fetches the mirrors' indexes ({@code apt-get update}); a repository apt cannot read fails it. */
  void update() throws IOException {
    // -o APT::Update::Error-Mode=any: a repository that fails is an error, not a warning
    apt("apt-get", "-q", "-o", "APT::Update::Error-Mode=any", "update");
  }

  /**
   * Writes the dpkg status apt resolves against: every package of {@code installed} as installed,
   * with its relations (depends, breaks, provides, ...) as the mirror's index states them for that
   * version, so that apt also sees what the installed packages need; a version the mirror no
   * longer offers is installed without relations.
   */
  void installed(Collection<LockedPackage> installed) throws IOException {
    Map<String, LockedPackage> wanted = new LinkedHashMap<>();
    installed.forEach(p -> wanted.put(p.name() + " " + p.version() + " " + p.arch(), p));
    List<String> args = new ArrayList<>(List.of("apt-cache", "show"));
    installed.forEach(p -> args.add(p.name() + "=" + p.version()));
    StringBuilder status = new StringBuilder();
    if (!installed.isEmpty()) {
      // The status is empty here, so apt-cache shows the index's paragraphs only. A paragraph is
      // kept whole (apt reads a status paragraph as it reads an index one) with a Status line added.
      List<String> shown = apt(args.toArray(String[]::new));
      List<String> para = new ArrayList<>();
      shown.add("");
      for (String line : shown) {
        if (!line.isBlank()) {
          para.add(line);
          continue;
        }
        if (!para.isEmpty()) {
          String key = field(para, "Package") + " " + field(para, "Version") + " " + field(para, "Architecture");
          if (wanted.remove(key) != null) {
            status.append(para.get(0)).append("\nStatus: install ok installed\n");
            para.subList(1, para.size()).forEach(l -> status.append(l).append('\n'));
            status.append('\n');
          }
          para.clear();
        }
      }
    }
    for (LockedPackage p : wanted.values()) {
      status.append("Package: ").append(p.name()).append("\nStatus: install ok installed\nArchitecture: ")
          .append(p.arch()).append("\nVersion: ").append(p.version()).append("\n\n");
    }
    Files.writeString(dir.resolve("var/lib/dpkg/status"), status.toString(), StandardCharsets.UTF_8);
  }

  private static String field(List<String> para, String name) {
    for (String l : para) {
      if (l.startsWith(name + ":")) {
        return l.substring(name.length() + 1).trim();
      }
    }
    return "";
  }

  /**
   * What apt would change: with {@code names} empty, every package upgraded ({@code dist-upgrade});
   * else those packages installed or upgraded, with what they need.
   */
  Resolution resolve(Collection<String> names) throws IOException {
    List<String> args = new ArrayList<>(List.of("apt-get", "-s", "-q", "-y", "--no-install-recommends"));
    if (names.isEmpty()) {
      args.add("dist-upgrade");
    } else {
      args.add("install");
      args.addAll(names);
    }
    return Resolution.parse(apt(args.toArray(String[]::new)), arch);
  }

  /**
   * {@code packages} with their files' sizes, SHA-256 and repositories from the index. Where the
   * index carries no SHA-256 (only SHA-512, which apt then prints), the file is downloaded (apt
   * checks it against the index) and its SHA-256 computed here.
   */
  List<LockedPackage> withFiles(List<LockedPackage> packages) throws IOException {
    List<String> args = new ArrayList<>(List.of("apt-get", "download", "--print-uris"));
    packages.forEach(p -> args.add(p.toString()));
    List<String> printed = packages.isEmpty() ? List.of() : apt(args.toArray(String[]::new));
    List<LockedPackage> out = new ArrayList<>();
    for (LockedPackage p : AptLocking.withPrintedFiles(packages, String.join("\n", printed))) {
      if (p.sha256().isPresent() || p.size() < 0) {
        out.add(p);
        continue;
      }
      Path d = dir.resolve("download");
      HostProcess.run(List.of("sh", "-c", "cd \"$1\" && apt-get -q download \"$2\"", "sh", d.toString(), p.toString()),
          Map.of("APT_CONFIG", config.toString()), timeout, events);
      Path file = d.resolve(AptLocking.fileName(p));
      if (!Files.isRegularFile(file)) {
        throw new KairosException("apt downloaded no " + file.getFileName() + " for " + p);
      }
      String h = sha256(file);
      Files.delete(file);
      out.add(new LockedPackage(p.name(), p.arch(), p.version(), p.size(), Optional.of(h), p.repository()));
    }
    return out;
  }

  /**
   * Downloads {@code packages} (exact versions) from {@code mirrors}, in that order of preference,
   * into {@code into} with an apt of its own in {@code dir}; their files by {@link LockedPackage#key()}.
   *
   * @param where the places looked in, for the error
   * @throws KairosException naming the packages no mirror holds, and {@code where}
   */
  public static Map<String, Path> download(Path dir, String arch, List<String> mirrors, List<LockedPackage> packages,
      Path into, Duration timeout, EventListener events, String where) throws IOException {
    HostApt apt = in(dir, arch, mirrors, timeout, events);
    apt.update();
    List<String> argv = new ArrayList<>(List.of("sh", "-c", "cd \"$1\" && shift && exec apt-get -q download \"$@\"", "sh",
        into.toAbsolutePath().toString()));
    // name=version for the native and "all" architectures, name:arch=version for a foreign one
    packages.forEach(p -> argv.add(p.arch().equals(arch) || p.arch().equals("all") ? p.name() + "=" + p.version()
        : p.toString()));
    try {
      HostProcess.run(argv, Map.of("APT_CONFIG", apt.config.toString(), "LC_ALL", "C"), timeout, events);
    } catch (dev.kairos.factory.core.api.CommandFailedException e) {
      throw new KairosException("cannot fetch the locked base packages " + packages.stream().map(LockedPackage::toString)
          .limit(5).toList() + (packages.size() > 5 ? " ..." : "") + " from " + where + ": " + e.getMessage(), e);
    }
    Map<String, Path> out = new LinkedHashMap<>();
    for (LockedPackage p : packages) {
      Path f = into.resolve(AptLocking.fileName(p));
      if (!Files.isRegularFile(f)) {
        throw new KairosException("apt fetched no " + f.getFileName() + " for base package " + p + " from " + where);
      }
      out.put(p.key(), f);
    }
    return out;
  }

  /** The output lines of a host command run in {@code dir}. */
  public static List<String> output(List<String> argv, Path dir, Duration timeout, EventListener events) throws IOException {
    List<String> sh = new ArrayList<>(List.of("sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", dir.toAbsolutePath().toString()));
    sh.addAll(argv);
    return lines(sh, Map.of("LC_ALL", "C"), timeout, events);
  }

  /** The hex SHA-256 of a file, as a lock keeps it. */
  public static String sha256(Path file) throws IOException {
    return Artifact.sha256(file).substring("sha256:".length());
  }

  /** Runs an apt program with our configuration; its output lines. */
  private List<String> apt(String... argv) throws IOException {
    return lines(List.of(argv), Map.of("APT_CONFIG", config.toString(), "LC_ALL", "C"), timeout, events);
  }

  private static List<String> lines(List<String> argv, Map<String, String> env, Duration timeout, EventListener events)
      throws IOException {
    List<String> lines = new ArrayList<>();
    EventListener collect = e -> {
      if (e instanceof KairosEvent.CommandOutput o) {
        lines.add(o.line());
      }
      events.onEvent(e);
    };
    HostProcess.run(argv, env, timeout, collect);
    return lines;
  }

  /**
   * What an apt simulation would change.
   *
   * @param installed packages installed or upgraded, at their new versions
   * @param removed the names (and architectures) of packages removed
   */
  record Resolution(List<LockedPackage> installed, List<String> removed) {
    /** From the {@code Inst} and {@code Remv} lines of {@code apt-get -s}. */
    static Resolution parse(List<String> lines, String nativeArch) {
      List<LockedPackage> inst = new ArrayList<>();
      List<String> remv = new ArrayList<>();
      for (String l : lines) {
        Matcher m = INST.matcher(l);
        if (m.find()) {
          String name = m.group(1);
          int colon = name.indexOf(':'); // a foreign architecture's package is NAME:ARCH
          inst.add(LockedPackage.installed(colon < 0 ? name : name.substring(0, colon), m.group(4), m.group(3)));
          continue;
        }
        Matcher r = REMV.matcher(l);
        if (r.find()) {
          String name = r.group(1);
          remv.add(name.contains(":") ? name : name + ":" + nativeArch);
        }
      }
      return new Resolution(inst, remv);
    }
  }

  /**
   * {@code lock} with {@code r} applied: removed packages dropped (under either their native or
   * {@code all} architecture), installed ones at their new versions, each with its file's facts.
   */
  Lock apply(Lock lock, Resolution r) throws IOException {
    Map<String, LockedPackage> packages = new TreeMap<>(lock.packages());
    for (String removed : r.removed()) {
      String name = removed.substring(0, removed.indexOf(':'));
      packages.remove(removed);
      packages.remove(name + ":all");
    }
    for (LockedPackage p : r.installed()) {
      // the same package may change between 'all' and an architecture from one version to the next
      packages.remove(p.name() + ":all");
      packages.remove(p.name() + ":" + arch);
    }
    List<LockedPackage> resolved = withFiles(r.installed());
    Lock.Builder b = lock.toBuilder().clearPackages().packages(packages.values()).packages(resolved);
    return b.build();
  }
}
