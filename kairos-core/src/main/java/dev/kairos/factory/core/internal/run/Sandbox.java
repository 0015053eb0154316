package dev.kairos.factory.core.internal.run;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.run.UserNamespace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bubblewrap command line that makes a build's sandbox around one command (see
 * {@link ChrootRunner} for what it gives and why bubblewrap). The caller appends
 * {@code --chdir DIR -- argv...}.
 */
final class Sandbox {
  private Sandbox() {}

  /**
   * {@code bwrap} and its options for a sandbox whose {@code /} is {@code root}.
   *
   * @throws KairosException if this is not Linux, bubblewrap is missing, or (not root) what a
   *     user namespace needs is missing, named one by one
   */
  static List<String> argv(Path root) throws KairosException {
    String os = System.getProperty("os.name", "");
    if (!os.startsWith("Linux")) {
      throw new KairosException("running commands in an image needs Linux, this is " + os);
    }
    if (!HostTool.exists("bwrap")) {
      throw new KairosException("running commands in an image needs bubblewrap (bwrap), which is missing: "
          + "install the Debian package bubblewrap");
    }
    List<String> argv = new ArrayList<>(List.of(HostTool.find("bwrap"),
        "--die-with-parent", "--new-session",
        // bwrap's own init is the PID namespace's first process, not the command (no --as-pid-1):
        // a parent-death signal is cleared when a process changes its effective ids, as apt-get
        // and dpkg do, and a command as PID 1 then outlived a SIGKILL of the build with everything
        // it started. The init never does; when it dies the kernel kills the whole namespace.
        "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--cap-drop", "ALL"));
    for (String cap : ChrootRunner.CAPABILITIES) {
      argv.addAll(List.of("--cap-add", cap));
    }
    argv.addAll(List.of(
        "--bind", root.toString(), "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--ro-bind", "/sys", "/sys"));
    // A normal user's build: bwrap runs as root of a user namespace that maps the image's owners
    // to the user and the user's subordinate ids; the capabilities are then only the namespace's.
    return UserNamespace.isRoot() ? argv : UserNamespace.wrap(argv);
  }
}
