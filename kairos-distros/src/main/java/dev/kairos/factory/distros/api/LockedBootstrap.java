package dev.kairos.factory.distros.api;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.ImageSource;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockMismatchException;
import dev.kairos.factory.core.api.lock.LockedPackage;
import dev.kairos.factory.distros.internal.HostApt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The replay of a bootstrapped base: a {@link Debootstrap} that installs exactly the lock's base
 * packages, each package file verified by its locked SHA-256 before the bootstrap starts.
 *
 * <p>How: every locked base package file is taken from the package caches first (e.g. the build
 * cache's apt archives), then from the lock's mirror, then from the lock mirror (a snapshot archive
 * or a local repository), fetched by the host's apt in a directory of its own; a file whose
 * SHA-256 is not the locked one is refused, naming the package, both hashes and where it was
 * found. The verified files make a temporary flat repository ({@code apt-ftparchive}), from which
 * {@code mmdebstrap} bootstraps with the lock's variant, architecture and suite, every locked
 * package included: the repository holds one version of each and nothing else, so the base holds
 * exactly the locked set (a package the variant wants and the lock lacks fails the bootstrap).
 * The root's {@code /etc/apt/sources.list} is then what the original bootstrap wrote. Immutable.
 *
 * <pre>{@code
 * Lock lock = Lock.read(Path.of("kairos.lock"));
 * ImageSource base = Bootstrap.debootstrap("bookworm").variant("minbase").replaying(lock, Optional.empty());
 * KairosBuild b = Kairos.from(base).lock(lock).workDirectory(work).build();
 * }</pre>
 */
public final class LockedBootstrap implements ImageSource {
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private final Debootstrap base;
  private final Lock lock;
  private final Optional<String> lockMirror;
  private final List<Path> caches;

  private LockedBootstrap(Debootstrap base, Lock lock, Optional<String> lockMirror, List<Path> caches) {
    this.base = base;
    this.lock = lock;
    this.lockMirror = lockMirror;
    this.caches = List.copyOf(caches);
  }

  /** The replay of {@code lock}'s base, which {@code base} made. */
  public static LockedBootstrap of(Debootstrap base, Lock lock) {
    return new LockedBootstrap(Objects.requireNonNull(base, "base"), Objects.requireNonNull(lock, "lock"),
        Optional.empty(), List.of());
  }

  /** A further repository to fetch from after the mirror ({@code URL [SUITE COMPONENT...]}). */
  public LockedBootstrap lockMirror(Optional<String> mirror) {
    mirror.ifPresent(HostApt::checkMirror);
    return new LockedBootstrap(base, lock, mirror.map(String::trim), caches);
  }

  /** A directory of package files ({@code NAME_VERSION_ARCH.deb}, apt's names) to look in first. */
  public LockedBootstrap packageCache(Path directory) {
    List<Path> c = new ArrayList<>(caches);
    c.add(Objects.requireNonNull(directory, "directory"));
    return new LockedBootstrap(base, lock, lockMirror, c);
  }

  /**
   * Whether the lock holds what a replay of this base needs: recorded from the same bootstrap
   * ({@code base source}, variant), with every base package's SHA-256 (a lock of format 1 has none).
   */
  public boolean replayable() {
    return lock.base().getOrDefault("source", "").equals(base.description())
        && lock.base().getOrDefault("variant", "").equals(base.lockEntries().get("variant"))
        && !lock.basePackages().isEmpty()
        && lock.basePackages().values().stream().allMatch(p -> p.sha256().isPresent());
  }

  @Override
  public String description() {
    return base.description();
  }

  @Override
  public Map<String, String> lockEntries(RootFs root) {
    return base.lockEntries();
  }

  /**
   * Fetches and verifies the locked base package files, then bootstraps from them into
   * {@code directory}. A lock that is not {@link #replayable()} bootstraps as {@link Debootstrap}
   * does (the build then checks the base against the lock).
   *
   * @throws LockMismatchException before anything is bootstrapped, naming a package whose file
   *     has another SHA-256 than the locked one
   * @throws KairosException naming the packages found nowhere, and where they were looked for
   */
  @Override
  public RootFs materialize(Path directory, EventListener events) throws IOException {
    if (!replayable()) {
      events.log(KairosEvent.Level.WARN, "the lock does not hold this bootstrap's base package files (recorded from "
          + lock.base().getOrDefault("source", "another base") + "); bootstrapping as usual, the base is checked after");
      return base.materialize(directory, events);
    }
    if (base.lockEntries().get("variant").equals("fakechroot")) {
      throw new KairosException("a lock of a debootstrap base of variant fakechroot cannot be replayed: use minbase or buildd");
    }
    Path parent = directory.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    try (ScratchDirectory scratch = ScratchDirectory.in(parent, "locked-base")) {
      Path repo = Files.createDirectories(scratch.dir().resolve("repo"));
      List<LockedPackage> missing = new ArrayList<>();
      for (LockedPackage p : lock.basePackages().values()) {
        if (!fromCache(p, repo)) {
          missing.add(p);
        }
      }
      events.log(KairosEvent.Level.INFO, "lock replay: " + (lock.basePackages().size() - missing.size())
          + " base package files from the cache, " + missing.size() + " to fetch");
      if (!missing.isEmpty()) {
        fetch(missing, repo, scratch.dir().resolve("apt"), events);
      }
      Files.writeString(repo.resolve("Packages"), String.join("\n",
          HostApt.output(List.of("apt-ftparchive", "packages", "."), repo, TIMEOUT, EventListener.NONE)) + "\n",
          StandardCharsets.UTF_8);
      // mmdebstrap picks the variant's packages of the suite (by the archive's suite or codename):
      // the repository says it is that suite.
      String release = String.join("\n", HostApt.output(List.of("apt-ftparchive",
          "-o", "APT::FTPArchive::Release::Suite=" + base.suite(), "-o", "APT::FTPArchive::Release::Codename=" + base.suite(),
          "-o", "APT::FTPArchive::Release::Architectures=" + base.arch().id(), "release", "."), repo, TIMEOUT,
          EventListener.NONE)) + "\n";
      Files.writeString(repo.resolve("Release"), release, StandardCharsets.UTF_8);
      List<String> names = lock.basePackages().values().stream().map(LockedPackage::name).distinct().toList();
      // A base made by debootstrap (or mmdebstrap's merged-usr hook) holds usr-is-merged, whose
      // preinst needs /usr merged already; without usrmerge in the set, merge it as they did.
      List<String> options = names.contains("usr-is-merged") && !names.contains("usrmerge")
          ? List.of("--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr") : List.of();
      // At the lock's source date: what the bootstrap makes gets the original's times, not today's.
      return base.sourceDate(Instant.ofEpochSecond(lock.sourceDate())).materialize(directory, events,
          // copy://, not file://: mmdebstrap unpacks the files from inside the new root, which cannot see ours.
          Optional.of(base.commandFor(directory, options, names, "deb [trusted=yes] copy://" + repo.toAbsolutePath() + " ./")));
    }
  }

  /** Copies {@code p}'s file from the first cache holding it with the locked hash into {@code repo}. */
  private boolean fromCache(LockedPackage p, Path repo) throws IOException {
    for (Path c : caches) {
      Path f = c.resolve(fileName(p));
      if (Files.isRegularFile(f) && HostApt.sha256(f).equals(p.sha256().orElseThrow())) {
        Files.copy(f, repo.resolve(fileName(p)), StandardCopyOption.REPLACE_EXISTING);
        return true;
      }
    }
    return false;
  }

  /**
   * Fetches {@code missing} with the host's apt from the mirror, then the lock mirror, into
   * {@code repo}, and checks each file's SHA-256.
   */
  private void fetch(List<LockedPackage> missing, Path repo, Path aptDir, EventListener events) throws IOException {
    List<String> mirrors = new ArrayList<>();
    mirrors.add(base.effectiveMirror() + " " + base.suite() + " " + lock.base().getOrDefault("components", "main").replace(',', ' '));
    lockMirror.ifPresent(mirrors::add);
    String where = "the package cache" + (caches.isEmpty() ? "" : " " + caches) + ", then " + String.join(", then ", mirrors);
    Map<String, Path> got = HostApt.download(aptDir, base.arch().id(), mirrors, missing, repo, TIMEOUT, events, where);
    for (LockedPackage p : missing) {
      Path f = got.get(p.key());
      String found = HostApt.sha256(f);
      if (!found.equals(p.sha256().orElseThrow())) {
        throw new LockMismatchException("base package " + p.key() + " " + p.version(), "sha256 " + p.sha256().orElseThrow(),
            "sha256 " + found, where);
      }
    }
  }

  private static String fileName(LockedPackage p) {
    return p.name() + "_" + p.version().replace(":", "%3a") + "_" + p.arch() + ".deb";
  }

  @Override
  public String toString() {
    return description() + " (locked)";
  }
}
