package dev.kairos.factory.examples.cli;

import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockedPackage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lock}: work with package locks ({@code kairos.lock}, written by every {@code build}). */
@Command(name = "lock", description = "Work with package locks (kairos.lock, written by every build).",
    subcommands = {LockCommand.Diff.class})
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
