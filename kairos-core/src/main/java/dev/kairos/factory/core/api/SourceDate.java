package dev.kairos.factory.core.api;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The timestamp that reproducible outputs use, after the reproducible-builds convention: every
 * time written into an artifact is clamped to it, so that the same inputs give the same bytes.
 *
 * <pre>{@code
 * SourceDate date = SourceDate.fromEnvironment();       // SOURCE_DATE_EPOCH, or the epoch
 * SourceDate build = SourceDate.fromInputs(System.getenv(), created, baseRoot);  // what a build uses
 * Instant t = date.clamp(fileMtime);
 * }</pre>
 *
 * <p>A build never defaults to the epoch: a date that old is a day-0 "last password change" in
 * {@code /etc/shadow}, which with password ageing ({@code PASS_MAX_DAYS}) ships expired
 * passwords. It takes its date from its inputs instead (see {@link #fromInputs}), so the same
 * inputs still give the same date.
 */
public final class SourceDate {
  /** The name of the environment variable that sets it, in seconds since the epoch. */
  public static final String ENVIRONMENT_VARIABLE = "SOURCE_DATE_EPOCH";

  private final Instant instant;

  private SourceDate(Instant instant) {
    this.instant = instant;
  }

  /** A fixed source date. */
  public static SourceDate of(Instant instant) {
    return new SourceDate(Objects.requireNonNull(instant, "instant"));
  }

  /** {@code SOURCE_DATE_EPOCH} of this process's environment, or the Unix epoch when unset, so that output is reproducible by default. */
  public static SourceDate fromEnvironment() throws InvalidInputException {
    return fromEnvironment(System.getenv());
  }

  /** {@code SOURCE_DATE_EPOCH} of {@code env}, or the Unix epoch when unset. */
  public static SourceDate fromEnvironment(Map<String, String> env) throws InvalidInputException {
    return parse(Optional.ofNullable(env.get(ENVIRONMENT_VARIABLE))).orElse(of(Instant.EPOCH));
  }

  /**
   * The date of a build: {@code SOURCE_DATE_EPOCH} of {@code env} when set; else the base image's
   * recorded creation time ({@code created} of its OCI config) when it is after the epoch's first
   * day; else the newest modification time in the base's package database ({@code dpkg/status},
   * the rpm database, apk's {@code installed}, pacman's {@code local}), which changes exactly when
   * its packages do; else that of its {@code os-release}; the epoch only for a tree with none of
   * these. Read {@code base} before the build changes it.
   *
   * @throws InvalidInputException if {@code SOURCE_DATE_EPOCH} is set but malformed
   */
  public static SourceDate fromInputs(Map<String, String> env, Optional<Instant> created, RootFs base)
      throws IOException {
    Optional<SourceDate> given = parse(Optional.ofNullable(env.get(ENVIRONMENT_VARIABLE)));
    if (given.isPresent()) {
      return given.get();
    }
    // Whole seconds, as SOURCE_DATE_EPOCH and a package lock carry it: a build replayed from its
    // lock then has the very same date as the build that wrote the lock.
    if (created.isPresent() && created.get().getEpochSecond() >= SECONDS_PER_DAY) {
      return of(created.get().truncatedTo(ChronoUnit.SECONDS));
    }
    Optional<Instant> newest = newestMtime(base, PACKAGE_DATABASES);
    if (newest.isEmpty()) {
      newest = newestMtime(base, OS_RELEASE);
    }
    return of(newest.orElse(Instant.EPOCH).truncatedTo(ChronoUnit.SECONDS));
  }

  /** Where the package managers keep what is installed; a directory counts by its files. */
  static final List<ImagePath> PACKAGE_DATABASES = List.of(ImagePath.of("/var/lib/dpkg/status"),
      ImagePath.of("/var/lib/rpm"), ImagePath.of("/usr/lib/sysimage/rpm"), ImagePath.of("/lib/apk/db/installed"),
      ImagePath.of("/var/lib/pacman/local"));
  private static final List<ImagePath> OS_RELEASE = List.of(ImagePath.of("/etc/os-release"), ImagePath.of("/usr/lib/os-release"));
  private static final long SECONDS_PER_DAY = 86_400;

  private static Optional<Instant> newestMtime(RootFs root, List<ImagePath> paths) throws IOException {
    Optional<Instant> newest = Optional.empty();
    for (ImagePath p : paths) {
      ImagePath real = root.realPath(p, true);
      Optional<FileMetadata> m = root.stat(real);
      if (m.isEmpty()) {
        continue;
      }
      List<ImagePath> files = List.of(real);
      if (m.get().type() == FileType.DIRECTORY) {
        files = root.list(real).stream().map(real::resolve).toList();
      }
      for (ImagePath f : files) {
        Optional<FileMetadata> fm = root.stat(root.realPath(f, true));
        if (fm.isPresent() && fm.get().type() == FileType.REGULAR
            && (newest.isEmpty() || fm.get().mtime().isAfter(newest.get()))) {
          newest = Optional.of(fm.get().mtime());
        }
      }
    }
    return newest;
  }

  static Optional<SourceDate> parse(Optional<String> value) throws InvalidInputException {
    if (value.isEmpty() || value.get().isBlank()) {
      return Optional.empty();
    }
    String v = value.get().trim();
    try {
      long seconds = Long.parseLong(v);
      if (seconds < 0) {
        throw new InvalidInputException(ENVIRONMENT_VARIABLE, "must not be negative, got " + v);
      }
      return Optional.of(of(Instant.ofEpochSecond(seconds)));
    } catch (NumberFormatException e) {
      throw new InvalidInputException(ENVIRONMENT_VARIABLE, "must be whole seconds since the epoch, got '" + v + "'");
    }
  }

  /** The date itself; every timestamp the build writes is clamped to it. */
  public Instant instant() {
    return instant;
  }

  /**
   * The value a command run in the image gets as {@code SOURCE_DATE_EPOCH}: this date in whole
   * seconds, but never before the second day of 1970. Shadow files count days since the epoch,
   * and a last password change on day 0 means "must change the password at the next login",
   * which systemd-sysusers would otherwise write for the accounts it makes.
   *
   * <pre>{@code
   * SourceDate.of(Instant.EPOCH).commandEpoch();               // "86400"
   * SourceDate.of(Instant.ofEpochSecond(1700000000)).commandEpoch(); // "1700000000"
   * }</pre>
   */
  public String commandEpoch() {
    return Long.toString(Math.max(SECONDS_PER_DAY, instant.getEpochSecond())); // 1970-01-02, the shadow file's day 1
  }

  /** {@code time}, or the source date if {@code time} is later. */
  public Instant clamp(Instant time) {
    return time.isAfter(instant) ? instant : time;
  }

  @Override
  public String toString() {
    return "SourceDate[" + instant + "]";
  }
}
