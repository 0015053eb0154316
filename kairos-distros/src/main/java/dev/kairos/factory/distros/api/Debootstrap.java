package dev.kairos.factory.distros.api;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.OsRelease;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.run.HostProcess;
import dev.kairos.factory.core.api.run.UserNamespace;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Debian or Ubuntu base made from the distro's own mirror by the host's {@code mmdebstrap}
 * (Debian package {@code mmdebstrap}) with debootstrap's choices (suite, variant, architecture,
 * packages, components, mirror): as root with {@code --mode=root}; as a normal user, or by a build
 * that runs inside a user namespace, with {@code --mode=unshare} in a user namespace
 * ({@link UserNamespace}), where what is root's in the image is the user's own on the host and
 * every other owner a subordinate id. One tool for both, so that a build as root and the same
 * build by a normal user start from the same tree; its {@code /dev} is left empty in both (a user
 * namespace cannot make device nodes; every command in the image gets a {@code /dev} of its own
 * from the sandbox, and a booted system mounts {@code devtmpfs}). Only the variant
 * {@code fakechroot} is still run by {@code debootstrap} (as root). Reproducible: the bootstrap
 * runs at a {@linkplain #sourceDate source date}, no file time is later than it, and no package is
 * marked automatically installed (as debootstrap leaves a base), so two bootstraps of the same
 * packages, a replay from a lock included, give the same tree. Immutable: each
 * setter returns a changed copy. The run is killed after {@link #timeout(Duration)} (default 30
 * minutes).
 *
 * <pre>{@code
 * ImageSource base = Bootstrap.debootstrap("bookworm")
 *     .mirror("http://deb.debian.org/debian")
 *     .variant("minbase")
 *     .include("ca-certificates");
 * RootFs root = base.materialize(workDir.resolve("rootfs"), EventListener.NONE);
 * }</pre>
 *
 * <p>Runs {@code mmdebstrap --mode=root --variant=V --arch=A [--include=P,..] [--components=C,..] SUITE DIR MIRROR}
 * as root ({@link #command}), else {@link #rootlessCommand} in a user namespace.
 */
public final class Debootstrap implements ImageSource {
  static final Set<String> VARIANTS = Set.of("minbase", "buildd", "fakechroot");
  private static final String NO_ROOTLESS_FAKECHROOT =
      "the debootstrap variant fakechroot cannot run without root; use minbase or buildd";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.+-]*");
  /** The release each suite is, for a plan made before bootstrapping and to tell Ubuntu's suites from Debian's. */
  private static final Map<String, Release> RELEASES = Map.ofEntries(
      debian("buster", "10"), debian("bullseye", "11"), debian("bookworm", "12"), debian("trixie", "13"),
      debian("forky", "14"),
      ubuntu("focal", "20.04", "20.04 LTS (Focal Fossa)"), ubuntu("jammy", "22.04", "22.04 LTS (Jammy Jellyfish)"),
      ubuntu("noble", "24.04", "24.04 LTS (Noble Numbat)"), ubuntu("oracular", "24.10", "24.10 (Oracular Oriole)"),
      ubuntu("plucky", "25.04", "25.04 (Plucky Puffin)"), ubuntu("questing", "25.10", "25.10 (Questing Quokka)"),
      ubuntu("resolute", "26.04", "26.04 LTS (Resolute Raccoon)"));

  /** A release's {@code VERSION_ID} and {@code VERSION} as its os-release says them. */
  private record Release(String id, String version, boolean ubuntu) {}

  private static Map.Entry<String, Release> debian(String suite, String id) {
    return Map.entry(suite, new Release(id, id + " (" + suite + ")", false));
  }

  private static Map.Entry<String, Release> ubuntu(String suite, String id, String version) {
    return Map.entry(suite, new Release(id, version, true));
  }

  /** Ubuntu's suites are the known Ubuntu releases; any other suite is taken as Debian's. */
  static boolean isUbuntu(String suite) {
    Release r = RELEASES.get(suite);
    return r != null && r.ubuntu();
  }

  private final String suite;
  private final Optional<String> mirror;
  private final Optional<String> variant;
  private final Architecture arch;
  private final List<String> include;
  private final List<String> components;
  private final Duration timeout;
  private final Optional<Instant> sourceDate;

  private Debootstrap(String suite, Optional<String> mirror, Optional<String> variant, Architecture arch,
      List<String> include, List<String> components, Duration timeout, Optional<Instant> sourceDate) {
    this.suite = suite;
    this.mirror = mirror;
    this.variant = variant;
    this.arch = arch;
    this.include = List.copyOf(include);
    this.components = List.copyOf(components);
    this.timeout = timeout;
    this.sourceDate = sourceDate;
  }

  static Debootstrap of(String suite) {
    if (suite == null || !NAME.matcher(suite).matches()) {
      throw new IllegalArgumentException("suite must be a lower-case release name such as bookworm or noble, got: '" + suite + "'");
    }
    return new Debootstrap(suite, Optional.empty(), Optional.empty(), Architecture.AMD64, List.of(), List.of(),
        Duration.ofMinutes(30), Optional.empty());
  }

  /** The mirror to bootstrap from: an {@code http}, {@code https} or {@code file} URL. */
  public Debootstrap mirror(String url) {
    URI u;
    try {
      u = URI.create(Objects.requireNonNull(url, "url"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("mirror is not a URL: '" + url + "'", e);
    }
    if (!Set.of("http", "https", "file").contains(String.valueOf(u.getScheme())) || u.getPath() == null) {
      throw new IllegalArgumentException("mirror must be an http, https or file URL, got: '" + url + "'");
    }
    return new Debootstrap(suite, Optional.of(url), variant, arch, include, components, timeout, sourceDate);
  }

  /** The debootstrap variant: {@code minbase}, {@code buildd} or {@code fakechroot} (default: debootstrap's own). */
  public Debootstrap variant(String variant) {
    if (!VARIANTS.contains(variant)) {
      throw new IllegalArgumentException("variant must be one of " + VARIANTS + ", got: '" + variant + "'");
    }
    return new Debootstrap(suite, mirror, Optional.of(variant), arch, include, components, timeout, sourceDate);
  }

  /** The architecture of the root (default amd64); another than the host's needs qemu-user and binfmt. */
  public Debootstrap arch(Architecture arch) {
    return new Debootstrap(suite, mirror, variant, Objects.requireNonNull(arch, "arch"), include, components, timeout, sourceDate);
  }

  /** The architecture of the root. */
  public Architecture arch() {
    return arch;
  }

  /**
   * A stand-in for the base, to plan a build without bootstrapping (a dry run): an empty tree at
   * {@code directory} (any file system, jimfs included) with only the {@code /etc/os-release} the
   * suite's base will have, which is what the plan depends on. The architecture is not in it (it
   * holds no binaries): give the plan {@link #arch()}.
   *
   * @throws KairosException for a suite whose release is not known here (e.g. {@code sid}), naming the known ones
   */
  public RootFs sketch(Path directory) throws IOException {
    Release release = RELEASES.get(suite);
    if (release == null) {
      throw new KairosException("cannot plan from debootstrap:" + suite + " without bootstrapping it: its release is"
          + " not known here (known: " + new java.util.TreeSet<>(RELEASES.keySet()) + ")");
    }
    boolean ubuntu = release.ubuntu();
    String name = ubuntu ? "Ubuntu" : "Debian GNU/Linux";
    String text = "PRETTY_NAME=\"" + name + " " + (ubuntu ? release.version().replaceAll(" \\(.*", "") : release.version()) + "\"\n"
        + "NAME=\"" + name + "\"\n"
        + "VERSION_ID=\"" + release.id() + "\"\n"
        + "VERSION=\"" + release.version() + "\"\n"
        + "VERSION_CODENAME=" + suite + "\n"
        + "ID=" + (ubuntu ? "ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=" + suite : "debian") + "\n";
    Files.createDirectories(directory);
    RootFs root = RootFs.at(directory);
    root.writeString(OsRelease.ETC_OS_RELEASE, text);
    return root;
  }

  /** Extra packages to install during the bootstrap. */
  public Debootstrap include(String... packages) {
    return new Debootstrap(suite, mirror, variant, arch, names(packages, "package"), components, timeout, sourceDate);
  }

  /** Archive components, e.g. {@code main, contrib, non-free-firmware} (default: main). */
  public Debootstrap components(String... components) {
    return new Debootstrap(suite, mirror, variant, arch, include, names(components, "component"), timeout, sourceDate);
  }

  /** How long debootstrap may run before it is killed. */
  public Debootstrap timeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    return new Debootstrap(suite, mirror, variant, arch, include, components, timeout, sourceDate);
  }

  /**
   * The base's source date: no file of the base has a modification time after it (later ones,
   * those of the files the bootstrap itself made, are set to it), and the bootstrap runs with it as
   * {@code SOURCE_DATE_EPOCH} (so that e.g. the accounts' last password change is its day, not
   * today). Default: {@code SOURCE_DATE_EPOCH} of this process, else the time the bootstrap starts,
   * in whole seconds; a build then takes it from the base's package database as its own source date.
   * Two bootstraps of the same packages at one source date give the same tree, times included.
   */
  public Debootstrap sourceDate(Instant date) {
    return new Debootstrap(suite, mirror, variant, arch, include, components, timeout,
        Optional.of(Objects.requireNonNull(date, "date").truncatedTo(ChronoUnit.SECONDS)));
  }

  private static List<String> names(String[] values, String what) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      if (v == null || !NAME.matcher(v).matches()) {
        throw new IllegalArgumentException("bad " + what + " name: '" + v + "'");
      }
      out.add(v);
    }
    return out;
  }

  /** The Debian or Ubuntu suite (release code name) to bootstrap, e.g. {@code bookworm}. */
  public String suite() {
    return suite;
  }

  /** The mirror given, else Debian's or Ubuntu's (ports for non-amd64 Ubuntu). */
  public String effectiveMirror() {
    if (mirror.isPresent()) {
      return mirror.get();
    }
    if (!isUbuntu(suite)) {
      return "http://deb.debian.org/debian";
    }
    return arch == Architecture.AMD64 ? "http://archive.ubuntu.com/ubuntu" : "http://ports.ubuntu.com/ubuntu-ports";
  }

  /**
   * The host command that bootstraps into {@code directory} as root: {@code mmdebstrap
   * --mode=root --variant=V ...}, the same as {@link #rootlessCommand} but for the mode (no
   * variant is mmdebstrap's {@code debootstrap}, debootstrap's default set of packages); for the
   * variant {@code fakechroot}, {@code debootstrap --variant=fakechroot ...}.
   */
  public List<String> command(Path directory) {
    if (variant.filter("fakechroot"::equals).isPresent()) {
      return withChoices(new ArrayList<>(List.of("debootstrap", "--variant=fakechroot")), directory);
    }
    return mmdebstrap("root", directory);
  }

  private List<String> mmdebstrap(String mode, Path directory) {
    return mmdebstrap(mode, directory, List.of(), List.of(), effectiveMirror());
  }

  /**
   * mmdebstrap in {@code mode} with {@code options}, {@code extra} packages included and
   * {@code mirror} as its last argument.
   */
  private List<String> mmdebstrap(String mode, Path directory, List<String> options, List<String> extra, String mirror) {
    List<String> argv = new ArrayList<>(List.of("mmdebstrap", "--mode=" + mode, "--variant=" + variant.orElse("debootstrap")));
    argv.addAll(options);
    return withChoices(argv, directory, extra, mirror);
  }

  /** {@code argv} + the options both tools share (they spell them alike) + suite, directory and mirror. */
  private List<String> withChoices(List<String> argv, Path directory) {
    return withChoices(argv, directory, List.of(), effectiveMirror());
  }

  private List<String> withChoices(List<String> argv, Path directory, List<String> extra, String mirror) {
    argv.add("--arch=" + arch.id());
    List<String> all = new ArrayList<>(include);
    extra.stream().filter(p -> !all.contains(p)).forEach(all::add);
    if (!all.isEmpty()) {
      argv.add("--include=" + String.join(",", all));
    }
    if (!components.isEmpty()) {
      argv.add("--components=" + String.join(",", components));
    }
    argv.addAll(List.of(suite, directory.toAbsolutePath().toString(), mirror));
    return List.copyOf(argv);
  }

  /**
   * The line mmdebstrap writes to the root's {@code /etc/apt/sources.list} (without the line end):
   * {@code deb MIRROR SUITE COMPONENTS}. (mmdebstrap adds a {@code signed-by} option where the
   * host's apt does not trust the suite's archive key, e.g. Ubuntu's on a Debian host; a replay
   * writes the line without it.)
   */
  String sourcesLine() {
    return "deb " + effectiveMirror() + " " + suite + " " + String.join(" ", components.isEmpty() ? List.of("main") : components);
  }

  /**
   * The suite, mirror, variant, architecture, components and included packages, as a lock's
   * {@code base} entries (a replay bootstraps the same way, from the locked packages).
   */
  public Map<String, String> lockEntries() {
    Map<String, String> m = new java.util.TreeMap<>();
    m.put("suite", suite);
    m.put("mirror", effectiveMirror());
    m.put("variant", variant.orElse("debootstrap"));
    m.put("arch", arch.id());
    m.put("components", String.join(",", components.isEmpty() ? List.of("main") : components));
    if (!include.isEmpty()) {
      m.put("include", String.join(",", include));
    }
    return m;
  }

  /**
   * A bootstrap of exactly the lock's base packages, each file verified by its locked SHA-256
   * (see {@link LockedBootstrap}); this source itself when the lock was not recorded from a
   * bootstrap like this one (its base then is checked against the lock, as any base is).
   */
  /** {@link #lockEntries()}: a bootstrap's entries do not depend on the root it made. */
  @Override
  public Map<String, String> lockEntries(RootFs root) {
    return lockEntries();
  }

  @Override
  public ImageSource replaying(Lock lock, Optional<String> lockMirror) {
    return LockedBootstrap.of(this, lock).lockMirror(lockMirror);
  }

  /** The root-mode or user-namespace command for a replay: options, extra packages and a mirror line of its own. */
  List<String> commandFor(Path directory, List<String> options, List<String> extra, String mirror) {
    return mmdebstrap(UserNamespace.isRoot() && UserNamespace.isInitial() ? "root" : "unshare", directory, options, extra,
        mirror);
  }

  /**
   * The host command that bootstraps into {@code directory} without root, to be run in a user
   * namespace: {@code mmdebstrap --mode=unshare --variant=V --arch=A [--include=P,..]
   * [--components=C,..] SUITE DIR MIRROR}, where no variant is mmdebstrap's {@code debootstrap}
   * (debootstrap's default set of packages).
   *
   * @throws IllegalStateException for the variant {@code fakechroot}, which has no rootless path
   */
  public List<String> rootlessCommand(Path directory) {
    if (variant.filter("fakechroot"::equals).isPresent()) {
      throw new IllegalStateException(NO_ROOTLESS_FAKECHROOT);
    }
    return mmdebstrap("unshare", directory);
  }

  @Override
  public String description() {
    // The architecture only where it is not the usual one, so that amd64 descriptions (and locks) stay as they were.
    return "debootstrap:" + suite + ":" + effectiveMirror() + (arch == Architecture.AMD64 ? "" : " (" + arch + ")");
  }

  /**
   * Runs mmdebstrap as root, or in a user namespace (a normal user), into {@code directory},
   * empties its {@code /dev}, and returns it as a root.
   *
   * @throws IllegalArgumentException if {@code directory} exists and is not an empty directory
   * @throws dev.kairos.factory.core.api.CommandFailedException if the bootstrap fails or times out
   * @throws dev.kairos.factory.core.api.KairosException without root, naming what a user namespace
   *     needs and this host lacks (a subordinate id range, the uidmap helpers, user namespaces)
   */
  @Override
  public RootFs materialize(Path directory, EventListener events) throws IOException {
    return materialize(directory, events, Optional.empty());
  }

  /**
   * As {@link #materialize(Path, EventListener)}; with {@code replay}, that command (mmdebstrap)
   * instead of the usual, after which the root's {@code sources.list} is the usual one.
   */
  RootFs materialize(Path directory, EventListener events, Optional<List<String>> replay) throws IOException {
    // debootstrap is a host program: a path of another file system (jimfs) would name a host directory.
    if (directory.getFileSystem() != java.nio.file.FileSystems.getDefault()) {
      throw new IllegalArgumentException("debootstrap writes to the host's file system only, not to " + directory.toUri());
    }
    if (Files.exists(directory)) {
      if (!Files.isDirectory(directory)) {
        throw new IllegalArgumentException("not a directory: " + directory);
      }
      try (Stream<Path> s = Files.list(directory)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("directory must be empty: " + directory);
        }
      }
    }
    List<String> argv;
    if (replay.isPresent()) {
      argv = UserNamespace.isRoot() ? replay.get() : UserNamespace.wrap(replay.get());
    } else if (UserNamespace.isRoot() && UserNamespace.isInitial()) {
      argv = command(directory);
    } else {
      // debootstrap cannot make device nodes in a user namespace; mmdebstrap does without them.
      if (variant.filter("fakechroot"::equals).isPresent()) {
        throw new KairosException(NO_ROOTLESS_FAKECHROOT);
      }
      argv = UserNamespace.isRoot() ? rootlessCommand(directory) : UserNamespace.wrap(rootlessCommand(directory));
    }
    Instant date = sourceDate.orElseGet(Debootstrap::defaultSourceDate);
    Files.createDirectories(directory);
    HostProcess.run(argv, Map.of(SourceDate.ENVIRONMENT_VARIABLE, Long.toString(date.getEpochSecond())), timeout, events);
    emptyDev(directory.resolve("dev"));
    if (replay.isPresent()) {
      // The replay bootstrapped from a repository of its own: the sources are what the usual bootstrap writes.
      Files.writeString(directory.resolve("etc/apt/sources.list"), sourcesLine() + "\n", StandardCharsets.UTF_8);
    }
    manualOnly(directory.resolve("var/lib/apt/extended_states"));
    clampTimes(directory, date, events);
    return RootFs.at(directory);
  }

  /**
   * Empties apt's record of automatically installed packages, as debootstrap leaves a base (it
   * installs with dpkg and marks nothing). mmdebstrap's apt marks the variant's dependencies
   * automatic, a replay (which names every locked package) marks none: without this the two
   * differ in that file alone.
   */
  private static void manualOnly(Path extendedStates) throws IOException {
    if (Files.isRegularFile(extendedStates, LinkOption.NOFOLLOW_LINKS)) {
      try (SeekableByteChannel c = Files.newByteChannel(extendedStates, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
        c.position(0);
      }
    }
  }

  private static Instant defaultSourceDate() {
    String given = System.getenv(SourceDate.ENVIRONMENT_VARIABLE);
    try {
      return given != null && !given.isBlank() ? SourceDate.fromEnvironment().instant()
          : Instant.now().truncatedTo(ChronoUnit.SECONDS);
    } catch (KairosException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * Sets every modification time in {@code directory} later than {@code date} to {@code date}
   * (links themselves, never across a mount point). mmdebstrap clamps times only in the tarballs
   * it writes, not in a directory; dpkg gives unpacked files their package's times, but what the
   * bootstrap makes (accounts, dpkg's database, maintainer scripts' files, directories that gained
   * entries) gets the clock's, which would make every bootstrap's tree, and its image layer, differ.
   * A host command, not a walk in Java: without root the tree's other owners are subordinate ids
   * that only the bootstrap's user namespace may touch.
   */
  private static void clampTimes(Path directory, Instant date, EventListener events) throws IOException {
    String at = "@" + date.getEpochSecond();
    List<String> argv = List.of("find", directory.toAbsolutePath().toString(), "-xdev", "-newermt", at,
        "-exec", "touch", "--no-create", "--no-dereference", "--date=" + at, "{}", "+");
    HostProcess.run(UserNamespace.isRoot() ? argv : UserNamespace.wrap(argv), Map.of(), Duration.ofMinutes(10), events);
  }

  /**
   * Removes what the bootstrap put in {@code /dev} (device nodes and links as root, nothing in a
   * user namespace), so that both give the same tree. Never crosses a mount point.
   */
  private static void emptyDev(Path dev) throws IOException {
    if (!Files.isDirectory(dev, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> entries;
    try (Stream<Path> s = Files.list(dev)) {
      entries = s.toList();
    }
    for (Path entry : entries) {
      if (Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        ScratchDirectory.deleteTree(entry); // pts, shm: empty, and never a mount point here
      } else {
        Files.delete(entry); // a node, or a link such as stdin -> /proc/self/fd/0: never followed
      }
    }
  }

  @Override
  public String toString() {
    return description();
  }
}
