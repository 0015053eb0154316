package dev.kairos.factory.core.api.distro;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockMismatchException;
import dev.kairos.factory.core.api.lock.LockedPackage;
import dev.kairos.factory.core.api.run.Command;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The package manager of one detected image, as exact commands to run inside it through a
 * {@link dev.kairos.factory.core.api.run.CommandRunner}. Every command already carries
 * {@link #environment()}. Got from {@link DistroStrategy#packageManager(DistroInfo)}.
 *
 * <p>Order for one package entry, as kairos-init does it: {@link #refresh()}, {@link #upgrade()},
 * {@link #install}, {@link #remove}. Before the first install, run {@link #addRepositories} and put
 * the {@link #serviceStartBlockers()} in place; remove them afterwards.
 *
 * <pre>{@code
 * PackageManager pm = strategy.packageManager(info);
 * for (Command c : List.of(pm.refresh(), pm.upgrade(), pm.install(set.base()))) {
 *   runner.run(root, c).requireSuccess();
 * }
 * }</pre>
 */
public interface PackageManager {
  /** The program: {@code apt-get}, {@code dnf}, {@code zypper}, {@code apk} or {@code pacman}. */
  String name();

  /** Variables set on every command, e.g. {@code DEBIAN_FRONTEND=noninteractive}. */
  Map<String, String> environment();

  /** Refreshes the repository metadata, e.g. {@code apt-get -y update}. */
  Command refresh();

  /** Upgrades every installed package, e.g. {@code dnf update -y}. */
  Command upgrade();

  /**
   * Installs {@code packages} without recommends/weak deps, e.g.
   * {@code zypper install -y --no-recommends <pkgs>}.
   *
   * @throws IllegalArgumentException if {@code packages} is empty or a name is blank or starts with {@code -}
   */
  Command install(List<String> packages);

  /** Removes {@code packages}, e.g. {@code apk del --no-cache <pkgs>}. Same checks as {@link #install}. */
  Command remove(List<String> packages);

  /**
   * The environment variable that names a directory in the image for {@link #resolve}'s commands
   * to keep the indexes in (and leave there): a caller that keeps that directory between runs
   * spares the download of indexes that did not change.
   */
  String RESOLVE_INDEXES_ENV = "KAIROS_RESOLVE_INDEXES";

  /**
   * The dry run of an upgrade and an install of {@code packages}, as two commands run one after
   * the other in the image with {@link #RESOLVE_INDEXES_ENV} set: {@link Resolution#update()}
   * brings the indexes in that directory up to date with the repositories, and
   * {@link Resolution#simulate()} prints what would be installed from them, versions included
   * (e.g. {@code apt-get -s}); neither changes the image. The step cache keys the install phase on
   * what the second prints, so that a mirror update is a miss, and runs it only when the indexes
   * differ from those of an earlier dry run (see {@link #indexVouchedFor}). Default: none, and the
   * install phase is then not cached.
   */
  default Optional<Resolution> resolve(List<String> packages) {
    return Optional.empty();
  }

  /**
   * A command that prints the package files {@code command} (this manager's {@link #upgrade()} or
   * {@link #install}, as given) would download, and downloads and changes nothing: for apt the
   * same command with {@code --print-uris}, so it sees the same options, sources and mirror. The
   * build fetches those files beforehand, several at a time, to where the package manager looks
   * ({@link #downloads}); the package manager then finds them and verifies them again. Empty by
   * default and for a command it cannot tell about.
   */
  default Optional<Command> listDownloads(Command command) {
    return Optional.empty();
  }

  /** The files that {@link #listDownloads}' command printed in {@code text}; other lines are skipped. */
  default List<Download> downloads(String text) {
    return List.of();
  }

  /**
   * A package file the package manager would download.
   *
   * @param uri where from, as the package manager would fetch it (any scheme it knows)
   * @param path where in the image the package manager looks for it before downloading
   * @param size its size in bytes
   * @param algorithm the hash the repository's index gives, as the package manager names it
   *     (apt: {@code SHA256}, {@code SHA512}, ...)
   * @param hex that hash in lower-case hex
   */
  record Download(String uri, ImagePath path, long size, String algorithm, String hex) {
    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException when {@code size} is negative
     */
    public Download {
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(hex, "hex");
      if (size < 0) {
        throw new IllegalArgumentException("size must not be negative, got " + size + " for " + uri);
      }
    }
  }

  /**
   * The two commands of a dry run ({@link #resolve}).
   *
   * @param update brings the indexes in the directory {@link #RESOLVE_INDEXES_ENV} names up to date
   * @param simulate prints what an upgrade and the install would install from those indexes
   */
  record Resolution(Command update, Command simulate) {
    /** Checks the parts. */
    public Resolution {
      Objects.requireNonNull(update, "update");
      Objects.requireNonNull(simulate, "simulate");
    }
  }

  /**
   * Whether the bytes of index file {@code name} (in a directory of indexes: the one
   * {@link Resolution#update()} fills, or the image's own) are vouched for by another of the
   * directory's files, {@code names}, that names its digest, and which the package manager checks
   * it against (apt: each repository's {@code InRelease} or {@code Release} names every index of
   * the repository by its SHA-256). A digest of the indexes then covers such a file by its name and
   * size, and every other file by its bytes. False by default: every file counts by its bytes.
   */
  default boolean indexVouchedFor(String name, java.util.Set<String> names) {
    return false;
  }

  /** Empties the package caches and lists, as the cleanup step does. */
  List<Command> clean();

  /**
   * The logs this package manager (and the tool that bootstrapped the image) write while packages
   * install, e.g. {@code /var/log/dpkg.log}. They record when the build ran and in what order its
   * scripts finished, so two builds of the same inputs would differ by them; the cleanup step
   * deletes them. None by default.
   */
  default List<ImagePath> logs() {
    return List.of();
  }

  /**
   * Commands that add the repositories the Kairos packages need, run once before the base install:
   * EPEL on Rocky/Alma/CentOS/RHEL, {@code oracle-epel-release-el<N>} on Oracle Linux,
   * {@code non-free-firmware} on Debian for Raspberry Pi. Empty when nothing is needed.
   */
  List<Command> addRepositories(Model model);

  /**
   * Files that keep package scripts from starting services while installing (e.g. Debian's
   * {@code /usr/sbin/policy-rc.d} exiting 101). Write them before installing, delete them after.
   * Empty where the package manager's scripts already refuse to start services in a chroot.
   */
  List<TemporaryFile> serviceStartBlockers();

  /**
   * Files put in place only while packages install, as the {@link #serviceStartBlockers()} are,
   * that spare the build work whose result the image has anyway (Debian: ca-certificates'
   * {@code update-ca-certificates} runs once, not again from its trigger when that would change
   * nothing). Write them before installing, delete them after; the image is the same without
   * them. Empty by default.
   */
  default List<TemporaryFile> installShims() {
    return List.of();
  }

  /**
   * How this package manager records and replays a {@link Lock}; empty where the family has no
   * lock support yet (today only apt has it).
   */
  default Optional<Locking> locking() {
    return Optional.empty();
  }

  /**
   * Records and replays a {@link Lock} with one package manager: lists the installed packages,
   * finds their package files' sizes, hashes and repositories, and holds a later install to the
   * locked versions, verifying every package file before it is unpacked.
   *
   * <pre>{@code
   * Locking l = pm.locking().orElseThrow();
   * runner.run(root, l.listInstalled(out)).requireSuccess();
   * List<LockedPackage> installed = l.parseInstalled(root.readString(out));
   * }</pre>
   */
  interface Locking {
    /**
     * The directory in the image where the package manager keeps the indexes the listings read
     * (apt: {@code /var/lib/apt/lists}): a lock is reused only with the same indexes (by
     * {@link PackageManager#indexVouchedFor}). Empty (the default): a lock is never reused.
     */
    default Optional<ImagePath> indexes() {
      return Optional.empty();
    }

    /** A command that writes the installed packages to {@code out} in the image. */
    Command listInstalled(ImagePath out);

    /** The installed packages (name, architecture, version) from what {@link #listInstalled} wrote. */
    List<LockedPackage> parseInstalled(String text);

    /** A command that writes the package files' facts of {@code packages} to {@code out}. */
    Command listFiles(List<LockedPackage> packages, ImagePath out);

    /** {@code packages}, with size, SHA-256 and repository where what {@link #listFiles} wrote names them. */
    List<LockedPackage> withFiles(List<LockedPackage> packages, String text);

    /**
     * Files that, while in the image, hold every install to the versions of {@code lock} and make
     * the package manager verify each package file's SHA-256 before it unpacks anything; a
     * mismatch is written to {@link #mismatchFile()} and the install fails.
     *
     * @param mirror a further repository to look in ({@code --lock-mirror}), if any
     */
    List<TemporaryFile> replayFiles(Lock lock, Optional<String> mirror);

    /** Where a failed verification writes what it found (removed with the replay files). */
    ImagePath mismatchFile();

    /**
     * The first mismatch that {@link #mismatchFile()} holds.
     *
     * @param where where the package manager looked, for the message
     */
    LockMismatchException mismatch(String text, String where);
  }

  /**
   * A file placed in the image for the duration of package operations.
   *
   * @param path where it goes in the image
   * @param content its text
   * @param mode its permission bits, e.g. {@code 0755}
   */
  record TemporaryFile(ImagePath path, String content, int mode) {
    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException when {@code mode} has bits beyond the 12 permission bits
     */
    public TemporaryFile {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(content, "content");
      if ((mode & ~07777) != 0) {
        throw new IllegalArgumentException("mode must fit in 12 bits, got " + Integer.toOctalString(mode));
      }
    }
  }
}
