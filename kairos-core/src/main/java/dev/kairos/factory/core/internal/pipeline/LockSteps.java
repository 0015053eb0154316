package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.CommandFailedException;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.PackageManager.Locking;
import dev.kairos.factory.core.api.distro.PackageManager.TemporaryFile;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockMismatchException;
import dev.kairos.factory.core.api.lock.LockedPackage;
import dev.kairos.factory.core.api.run.Command;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The lock's part of the install phase: lists the packages before and after it (to record a
 * {@link Lock}), and in a replay holds the package manager to the lock's versions with the files
 * its {@link Locking} names, turning a failed verification into a {@link LockMismatchException}.
 */
final class LockSteps {
  /** Where a listing is written in the image (not /tmp: a sandbox may give commands their own). */
  private static final ImagePath LISTING = ImagePath.of("/var/cache/kairos-factory-lock.list");

  private LockSteps() {}

  /** What to replay, if anything, and a further repository to look in. */
  record Replay(Optional<Lock> lock, Optional<String> mirror) {
    static final Replay NONE = new Replay(Optional.empty(), Optional.empty());
  }

  static Optional<Locking> locking(StepContext ctx) throws IOException {
    if (ctx.distro().family() == dev.kairos.factory.core.api.distro.Family.HADRON) {
      return Optional.empty();
    }
    return ctx.strategy().packageManager(ctx.distro()).locking();
  }

  /**
   * The installed packages (name, architecture, version); empty when the command wrote no listing
   * (a runner that records commands rather than running them).
   */
  static Optional<List<LockedPackage>> installed(StepContext ctx, Locking l) throws IOException {
    try {
      ctx.run(l.listInstalled(LISTING));
      if (!ctx.root().isRegularFile(LISTING)) {
        return Optional.empty();
      }
      return Optional.of(l.parseInstalled(new String(ctx.root().readAllBytes(LISTING), StandardCharsets.UTF_8)));
    } finally {
      ctx.root().deleteRecursively(LISTING);
    }
  }

  /** {@code packages} with their files' sizes, hashes and repositories where the package manager knows them. */
  static List<LockedPackage> withFiles(StepContext ctx, Locking l, List<LockedPackage> packages) throws IOException {
    if (packages.isEmpty()) {
      return packages;
    }
    try {
      ctx.run(l.listFiles(packages, LISTING));
      return l.withFiles(packages, new String(ctx.root().readAllBytes(LISTING), StandardCharsets.UTF_8));
    } finally {
      ctx.root().deleteRecursively(LISTING);
    }
  }

  /**
   * The base's packages with their files (so that a replay can bootstrap exactly these): the
   * image's entry where the image still holds that version, else as the package manager lists it.
   */
  static List<LockedPackage> baseWithFiles(StepContext ctx, Locking l, List<LockedPackage> base, List<LockedPackage> image)
      throws IOException {
    Map<String, LockedPackage> byKey = new TreeMap<>();
    image.forEach(p -> byKey.put(p.key(), p));
    List<LockedPackage> out = new ArrayList<>();
    List<LockedPackage> others = new ArrayList<>();
    for (LockedPackage p : base) {
      LockedPackage known = byKey.get(p.key());
      if (known != null && known.version().equals(p.version())) {
        out.add(known);
      } else {
        others.add(p);
      }
    }
    out.addAll(withFiles(ctx, l, others));
    return out;
  }

  /**
   * Fails when the base's packages differ from the lock's base, before anything changes.
   *
   * @throws LockMismatchException naming the first package that differs
   */
  static void checkBase(Lock lock, List<LockedPackage> base) throws LockMismatchException {
    Map<String, LockedPackage> found = new TreeMap<>();
    base.forEach(p -> found.put(p.key(), p));
    String where = "the base's package database";
    for (LockedPackage want : lock.basePackages().values()) {
      LockedPackage got = found.get(want.key());
      if (got == null || !got.version().equals(want.version())) {
        throw new LockMismatchException("base package " + want.key(), "version " + want.version(),
            got == null ? "none installed" : "version " + got.version(), where);
      }
    }
    for (LockedPackage got : found.values()) {
      if (!lock.basePackages().containsKey(got.key())) {
        throw new LockMismatchException("base package " + got.key(), "no such package in the base",
            "version " + got.version(), where);
      }
    }
  }

  /**
   * Fails when the image after the install phase holds other packages or versions than the lock.
   */
  static void checkInstalled(Lock lock, List<LockedPackage> installed, String where) throws LockMismatchException {
    Lock got = lock.toBuilder().clearPackages().packages(installed).build();
    Lock.Diff d = Lock.diff(lock.toBuilder().clearPackages().packages(lock.packages().values().stream()
        .map(p -> LockedPackage.installed(p.name(), p.arch(), p.version())).toList()).build(), got);
    if (!d.isEmpty()) {
      String first = d.toString().lines().findFirst().orElse("");
      throw new LockMismatchException("installed packages", "exactly the locked set",
          "differences (+ added, - missing, ~ other version): " + first + (d.toString().lines().count() > 1 ? " ..." : ""),
          where);
    }
  }

  /** Writes the replay's files (after the service-start blockers). Empty without a replay. */
  static List<Action> setUp(StepContext ctx, PackageManager pm) {
    if (ctx.replay().lock().isEmpty() || pm.locking().isEmpty()) {
      return List.of();
    }
    List<TemporaryFile> files = pm.locking().get().replayFiles(ctx.replay().lock().get(), ctx.replay().mirror());
    List<Action> out = new ArrayList<>();
    out.add(rememberDirectoryTimes(files));
    for (TemporaryFile t : files) {
      out.add(new Action.WriteFile(t.path(), t.content().getBytes(StandardCharsets.UTF_8), t.mode()));
    }
    return out;
  }

  /**
   * Writing and removing the replay's files changes the modification time of the directories they
   * are in, which the image would keep (a replay would then differ from the build it replays in
   * those times alone). Their times are noted here, in a file inside the first of them, and put
   * back by {@link #restoreDirectoryTimes}.
   */
  private static Action rememberDirectoryTimes(List<TemporaryFile> files) {
    ImagePath note = timesNote(files);
    return new Action.Deferred("note the times of the directories the replay writes into", c -> {
      StringBuilder b = new StringBuilder();
      for (ImagePath dir : directories(files)) {
        if (c.root().isDirectory(dir)) {
          Instant t = c.root().metadata(dir).mtime();
          b.append(t.getEpochSecond()).append(' ').append(t.getNano()).append(' ').append(dir).append('\n');
        }
      }
      c.root().write(note, b.toString().getBytes(StandardCharsets.UTF_8), 0600);
    });
  }

  private static Action restoreDirectoryTimes(List<TemporaryFile> files) {
    ImagePath note = timesNote(files);
    return new Action.Deferred("restore the times of the directories the replay wrote into", c -> {
      if (!c.root().isRegularFile(note)) {
        return;
      }
      String text = c.root().readString(note);
      c.root().delete(note);
      for (String line : text.split("\n")) {
        String[] f = line.split(" ", 3);
        if (f.length == 3) {
          c.root().setMtime(ImagePath.of(f[2]), Instant.ofEpochSecond(Long.parseLong(f[0]), Long.parseLong(f[1])));
        }
      }
    });
  }

  private static SortedSet<ImagePath> directories(List<TemporaryFile> files) {
    SortedSet<ImagePath> dirs = new TreeSet<>(Comparator.comparing(ImagePath::toString));
    files.forEach(t -> dirs.add(t.path().parent()));
    return dirs;
  }

  private static ImagePath timesNote(List<TemporaryFile> files) {
    return files.get(0).path().parent().resolve(".kairos-lock-times");
  }

  /** Removes the replay's files again; runs even when the step fails. */
  static List<Action> tearDown(StepContext ctx, PackageManager pm) {
    if (ctx.replay().lock().isEmpty() || pm.locking().isEmpty()) {
      return List.of();
    }
    Locking l = pm.locking().get();
    List<Action> out = new ArrayList<>();
    List<TemporaryFile> files = l.replayFiles(ctx.replay().lock().get(), ctx.replay().mirror());
    for (TemporaryFile t : files) {
      out.add(new Action.Remove(t.path()));
    }
    out.add(new Action.Remove(l.mismatchFile()));
    out.add(restoreDirectoryTimes(files));
    return out;
  }

  /**
   * {@code cmd} as an action; in a replay, a failure that the verification explains becomes a
   * {@link LockMismatchException}.
   */
  static Action run(StepContext ctx, PackageManager pm, Command cmd) {
    if (ctx.replay().lock().isEmpty() || pm.locking().isEmpty()) {
      return new Action.Run(cmd);
    }
    Locking l = pm.locking().get();
    return new Action.Deferred("run " + cmd + " (held to the lock, every package file verified before it is unpacked)",
        c -> {
          try {
            c.run(cmd);
          } catch (CommandFailedException e) {
            if (c.root().isRegularFile(l.mismatchFile())) {
              LockMismatchException m = l.mismatch(c.root().readString(l.mismatchFile()), where(c));
              m.addSuppressed(e);
              throw m;
            }
            throw e;
          }
        });
  }

  /** Where a replay looks for package files, for messages. */
  static String where(StepContext ctx) {
    return "the build cache, then the image's repositories" + ctx.replay().mirror().map(m -> ", then " + m).orElse("")
        + " (as apt found them, in /var/cache/apt/archives)";
  }

  static void log(StepContext ctx, String message) {
    ctx.events().log(KairosEvent.Level.INFO, message);
  }
}
