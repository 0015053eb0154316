package dev.kairos.factory.core.api.run;

import dev.kairos.factory.core.internal.run.ChrootRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The command runners the library ships.
 *
 * <pre>{@code
 * CommandRunner chroot = Runners.chroot();                       // root on Linux, defaults
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
   * Builds a chroot runner: runs each command as {@code chroot ROOT argv...}, as root on Linux.
   *
   * <p>Around every call (mounts are made per call, never kept between calls) the runner
   * bind-mounts the host's {@code /proc}, {@code /sys}, {@code /dev} and {@code /dev/pts} into the
   * root, copies the host's {@code resolv.conf} over the image's {@code /etc/resolv.conf} and, on
   * images with a {@code /usr/sbin}, puts a {@code policy-rc.d} that exits 101 there, so that
   * Debian-family package scripts start no services. Afterwards every mount is undone in reverse
   * order and the image's own files (or symlinks) are put back, also when the command fails,
   * times out, or the calling thread is interrupted; a JVM shutdown hook does it as a last resort.
   * A busy mount is detached lazily ({@code umount -l}).
   *
   * <p>The command gets a clean environment ({@code PATH}, {@code HOME=/root},
   * {@code LANG=C.UTF-8}) plus {@link Command#env()}. Its stdout and stderr, combined, reach
   * {@link Command#output()} line by line (on a reader thread) and the last 40 lines are
   * {@link CommandResult#outputTail()}. On timeout or interrupt the command and every process it
   * started are killed, and so is any process left running with its root in the image.
   */
  public static final class ChrootBuilder {
    private boolean blockServiceStarts = true;
    private Path resolvConf = Path.of("/etc/resolv.conf");
    private Duration mountTimeout = Duration.ofSeconds(30);
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

    /** How long one {@code mount} or {@code umount} may take (default 30 s). */
    public ChrootBuilder mountTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("mount timeout must be positive, got " + timeout);
      }
      this.mountTimeout = timeout;
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

    public CommandRunner build() {
      return new ChrootRunner(blockServiceStarts, resolvConf, mountTimeout, path);
    }
  }
}
