package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.io.ExclusiveLock;
import dev.kairos.factory.core.api.io.OwnedDirectory;
import dev.kairos.factory.core.api.io.ScratchDirectory;
import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.distros.api.LockUpdate;
import dev.kairos.factory.core.api.lock.LockedPackage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code lock}: work with package locks ({@code kairos.lock}, written by every {@code build}). */
@Command(name = "lock", description = "Work with package locks (kairos.lock, written by every build).",
    subcommands = {LockCommand.Diff.class, LockCommand.Update.class})
final class LockCommand extends Verb {
  @Override
  int run(Output out) {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** {@code lock diff A B}: packages added, removed and changed in version, for release notes and review. */
  @Command(name = "diff", description = "List the packages added, removed and changed in version from lock A to lock B.")
  static final class Diff extends Verb {
    @Parameters(index = "0", paramLabel = "A", description = "The earlier lock.")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "The later lock.")
    Path b;

    @Override
    int run(Output out) throws Exception {
      Lock.Diff d = Lock.diff(Lock.read(a), Lock.read(b));
      out.result(json(d), d.isEmpty() ? "no package changed" : d.toString().strip());
      return 0;
    }
  }

  /**
   * {@code lock update LOCK [--package NAME...] [--mirror M...]}: re-resolves every package, or
   * only the named ones and what they need, against a mirror, writes the lock back atomically, and
   * prints what changed as {@code lock diff} does.
   */
  @Command(name = "update", description = {
      "Re-resolve every package of LOCK, or only the named ones (and what they need), against a mirror with the"
          + " host's apt, write the new lock in place of LOCK (atomically) and print what changed, as 'lock diff' does.",
      "The mirror is --mirror, else the lock's debootstrap base. Nothing of the host's apt state is read or changed."})
  static final class Update extends Verb {
    @Parameters(index = "0", paramLabel = "LOCK", description = "The lock to update (kairos.lock).")
    Path lock;

    @Option(names = "--package", paramLabel = "NAME", split = ",",
        description = "Re-resolve only this package and what it needs (repeatable or comma-separated; a package the"
            + " lock lacks is added). Default: every package.")
    List<String> packages = new ArrayList<>();

    @Option(names = "--mirror", paramLabel = "M",
        description = "Resolve against this repository: 'URL SUITE COMPONENT...' or a flat repository's URL"
            + " (repeatable). Default: the lock's debootstrap base, component main.")
    List<String> mirrors = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the new lock here instead of LOCK.")
    Path output;

    @Mixin RunPaths.Work work;

    @Override
    int run(Output out) throws Exception {
      Lock before = Lock.read(lock);
      LockUpdate u = LockUpdate.of(before).packages(packages).events(events(out));
      for (String m : mirrors) {
        try {
          u = u.mirror(m);
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), "Invalid value for option '--mirror': " + e.getMessage(), e);
        }
      }
      Path target = output != null ? output : lock;
      Lock after;
      try (ExclusiveLock l = ExclusiveLock.forOutput(target); OwnedDirectory w = work.claim(lock, target);
          ScratchDirectory scratch = w.scratch("lock-update")) {
        after = u.run(scratch.dir());
        after.write(target);
      }
      Lock.Diff d = Lock.diff(before, after);
      Map<String, Object> json = json(d);
      json.put("lock", target.toAbsolutePath().toString());
      out.result(json, (d.isEmpty() ? "no package changed" : d.toString().strip()) + "\n  lock       " + target.toAbsolutePath());
      return 0;
    }
  }

  /** {@code {added: [...], removed: [...], changed: [{name, arch, from, to}]}}. */
  static Map<String, Object> json(Lock.Diff d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("added", d.added().stream().map(LockCommand::json).toList());
    m.put("removed", d.removed().stream().map(LockCommand::json).toList());
    List<Map<String, Object>> changed = new ArrayList<>();
    for (Lock.Change c : d.changed()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", c.before().name());
      e.put("arch", c.before().arch());
      e.put("from", c.before().version());
      e.put("to", c.after().version());
      e.put("sha256", c.after().sha256().orElse(null));
      changed.add(e);
    }
    m.put("changed", changed);
    return m;
  }

  private static Map<String, Object> json(LockedPackage p) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("name", p.name());
    e.put("arch", p.arch());
    e.put("version", p.version());
    e.put("sha256", p.sha256().orElse(null));
    return e;
  }
}
