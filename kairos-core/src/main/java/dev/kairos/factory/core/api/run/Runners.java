package dev.kairos.factory.core.api.run;

import dev.kairos.factory.core.internal.run.ChrootRunner;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The command runners the library ships.
 *
 * <pre>{@code
 * CommandRunner chroot = Runners.chroot();                       // sandboxed, defaults
 * CommandRunner quiet = Runners.chrootBuilder()
 *     .blockServiceStarts(false)
 *     .resolvConf(Path.of("/run/systemd/resolve/resolv.conf"))
 *     .build();
 *
 * RecordingRunner recording = Runners.recording()               // unit tests
 *     .whenProgram("dracut", RecordingRunner.Reply.exit(1, "dracut: no kernel"));
 * }</pre>
 */
public final class Runners {
  private Runners() {}

  /** A chroot runner with the defaults of {@link ChrootBuilder}. */
  public static CommandRunner chroot() {
    return chrootBuilder().build();
  }

  /** Options of a chroot runner. */
  public static ChrootBuilder chrootBuilder() {
    return new ChrootBuilder();
  }

  /** A new recording runner: every command succeeds with no output until told otherwise. */
  public static RecordingRunner recording() {
    return new RecordingRunner();
  }

  /**
   * Builds the runner every command inside an image goes through: it runs each command in a
   * sandbox of the build's own made by bubblewrap ({@code bwrap}, Debian package
   * {@code bubblewrap}), with the image's directory as {@code /}. On Linux, as root or, for a
   * normal user, as root of a user namespace that maps the image's owners to the user and the
   * user's subordinate ids ({@link UserNamespace}; when that cannot be made, {@link CommandRunner#run}
   * throws naming what is missing).
   *
   * <p>The sandbox has its own mount, PID, IPC and UTS namespaces; a minimal {@code /dev} (null,
   * zero, full, random, urandom, tty, a {@code ptmx} with its own {@code devpts}, {@code shm};
   * never the host's), a {@code /proc} of its own PID namespace, {@code /sys} read-only, the
   * host's network, and Docker's default capabilities (no {@code CAP_SYS_ADMIN}: no mounts of its
   * own). Nothing it mounts is seen by the host, and nothing it starts outlives it: when the
   * command's first process ends, or the build's process dies by any signal, SIGKILL included,
   * the kernel kills every process left in the sandbox.
   *
   * <p>Around every call the runner copies the host's {@code resolv.conf} over the image's
   * {@code /etc/resolv.conf} and, on images with a {@code /usr/sbin}, puts a {@code policy-rc.d}
   * that exits 101 there, so that Debian-family package scripts start no services. Afterwards the
   * image's own files (or symlinks) are put back, also when the command fails, times out, or the
   * calling thread is interrupted; a JVM shutdown hook does it at SIGTERM and SIGINT, and after a
   * SIGKILL the next run on the same root does it first.
   *
   * <p>The command gets a clean environment ({@code PATH}, {@code HOME=/root},
   * {@code LANG=C.UTF-8}) plus {@link Command#env()}. Its stdout and stderr, combined, reach
   * {@link Command#output()} line by line (on a reader thread) and the last 40 lines are
   * {@link CommandResult#outputTail()}. On timeout or interrupt the sandbox is killed with
   * everything in it.
   */
  public static final class ChrootBuilder {
    private boolean blockServiceStarts = true;
    private Path resolvConf = Path.of("/etc/resolv.conf");
    private String path = ChrootRunner.DEFAULT_PATH;

    private ChrootBuilder() {}

    /** Whether a {@code /usr/sbin/policy-rc.d} exiting 101 is in place while commands run (default true). */
    public ChrootBuilder blockServiceStarts(boolean block) {
      this.blockServiceStarts = block;
      return this;
    }

    /** The host file put in place as the image's {@code /etc/resolv.conf} (default the host's {@code /etc/resolv.conf}). */
    public ChrootBuilder resolvConf(Path hostFile) {
      this.resolvConf = Objects.requireNonNull(hostFile, "hostFile");
      return this;
    }

    /** Leaves the image's {@code /etc/resolv.conf} alone (for builds that need no network). */
    public ChrootBuilder keepImageResolvConf() {
      this.resolvConf = null;
      return this;
    }

    /** The {@code PATH} commands get (default {@code /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}). */
    public ChrootBuilder path(String path) {
      if (path == null || path.isEmpty() || path.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("PATH must be non-empty and free of NUL: " + path);
      }
      this.path = path;
      return this;
    }

    /** The runner, with these options. */
    public CommandRunner build() {
      return new ChrootRunner(blockServiceStarts, resolvConf, path);
    }
  }
}
