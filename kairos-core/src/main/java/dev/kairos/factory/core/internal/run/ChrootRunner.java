package dev.kairos.factory.core.internal.run;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Emulation;
import dev.kairos.factory.core.api.run.ProcessTree;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs every command inside an image in a sandbox of the build's own, made by bubblewrap
 * ({@code bwrap}): the image's directory becomes {@code /} of a new mount namespace, in new PID,
 * IPC and UTS namespaces, with
 *
 * <ul>
 *   <li>a minimal {@code /dev} ({@code bwrap --dev}: null, zero, full, random, urandom, tty, a
 *       {@code ptmx} of its own {@code devpts}, {@code shm}); the host's {@code /dev} is never
 *       bound, and the image's root is mounted {@code nodev}, so a device node a script makes
 *       cannot be opened either;
 *   <li>a fresh {@code /proc} of its own PID namespace ({@code --proc}), which lists only the
 *       sandbox's processes, and the host's {@code /sys} read-only;
 *   <li>the host's network (package managers fetch from mirrors), no controlling terminal
 *       ({@code --new-session});
 *   <li>as root, only Docker's default capabilities for a build step ({@link #CAPABILITIES}):
 *       what Debian, Ubuntu and Fedora package installs and dracut are known to run with in
 *       container builds, and without {@code CAP_SYS_ADMIN}, so that no script can mount the
 *       host's devices, load a module or reconfigure the host's network.
 * </ul>
 *
 * <p>Why bubblewrap and not hand-made syscalls or {@code unshare(1)}: it is small (one C file),
 * well kept (Flatpak's sandbox), runs without setuid where user namespaces are allowed, and does
 * in one exec what a build needs and {@code unshare} does not: {@code --die-with-parent} (the
 * sandbox gets SIGKILL when the build process dies, by any signal, SIGKILL of the JVM included),
 * {@code --unshare-pid} (bwrap's init is the namespace's first process: when bwrap has reported
 * the command's exit, the init dies and the kernel kills everything left in the namespace, which
 * {@link #run} waits for, so a daemon a package script started dies with it and nothing of the
 * image runs once {@link #run} has returned),
 * {@code --dev} and {@code --proc}. All mounts live only in the sandbox's mount namespace, so the
 * host never sees a mount under the work directory, not even while a command runs, and nothing
 * is left mounted whatever ended the build.
 *
 * <p>Around each call {@link ChrootSetup} swaps the host's {@code resolv.conf} and a
 * {@code policy-rc.d} into the image and puts the image's own back afterwards. An image of another
 * architecture than this machine's (its {@code /bin/sh}'s ELF header says so) runs under qemu-user
 * through binfmt_misc ({@link Emulation}): checked before the first command, and given
 * {@link Emulation#TIME_FACTOR} times each command's timeout. Calls on the same
 * root are serialised; calls on different roots run in parallel.
 */
public final class ChrootRunner implements CommandRunner {
  /** The base environment: a clean, predictable one instead of the JVM's. */
  public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  /**
   * The capabilities a command keeps when the build runs as root: Docker's default set for a
   * container (and so for every {@code RUN} of a Dockerfile, where package installs, maintainer
   * scripts and dracut run every day). Left out, among others: {@code CAP_SYS_ADMIN} (mount),
   * {@code CAP_SYS_MODULE}, {@code CAP_SYS_RAWIO}, {@code CAP_NET_ADMIN}, {@code CAP_SYS_BOOT},
   * {@code CAP_SYS_TIME}.
   */
  static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
      "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
      "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final boolean blockServiceStarts;
  private final Path hostResolvConf;
  private final String path;

  /**
   * @param blockServiceStarts whether a {@code policy-rc.d} that exits 101 is in place while commands run
   * @param hostResolvConf the host file copied to the image's {@code /etc/resolv.conf}, or null for none
   * @param path the {@code PATH} of the command
   */
  public ChrootRunner(boolean blockServiceStarts, Path hostResolvConf, String path) {
    this.blockServiceStarts = blockServiceStarts;
    this.hostResolvConf = hostResolvConf;
    this.path = path;
  }

  @Override
  public String name() {
    return "chroot";
  }

  @Override
  public CommandResult run(RootFs rootFs, Command command) throws IOException {
    Path root = rootFs.root();
    if (root.getFileSystem() != FileSystems.getDefault()) {
      throw new IllegalArgumentException("the chroot runner needs a root on the default file system, not " + root.toUri());
    }
    if (root.getParent() == null) {
      throw new IllegalArgumentException("refusing to run in the host's own /");
    }
    List<String> sandbox = Sandbox.argv(root);
    Duration timeout = timeBudget(rootFs, command.timeout());
    ImagePath workDir = ImagePath.of(command.workingDirectory());
    if (!rootFs.isDirectory(workDir)) {
      throw new KairosException(command.workingDirectory() + ": working directory does not exist in " + root);
    }
    ReentrantLock lock = LOCKS.computeIfAbsent(root, r -> new ReentrantLock());
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for another command in " + root);
    }
    try (ChrootSetup setup = ChrootSetup.open(rootFs, blockServiceStarts, hostResolvConf, command.output())) {
      List<String> argv = new ArrayList<>(sandbox);
      argv.addAll(List.of("--chdir", workDir.toString(), "--"));
      argv.addAll(command.argv());
      return execute(argv, command, timeout, setup);
    } finally {
      lock.unlock();
    }
  }

  private CommandResult execute(List<String> argv, Command command, Duration timeout, ChrootSetup setup) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", path);
    env.put("HOME", "/root");
    env.put("LANG", "C.UTF-8");
    env.putAll(command.env());

    EventListener out = command.output();
    long start = System.nanoTime();
    // bwrap's --die-with-parent watches the thread that starts it: this one, which waits below
    // until the sandbox is gone.
    Process p = pb.start();
    setup.attach(p);
    // bwrap's init (PID 1 of the sandbox, bwrap's one child): once bwrap has reported the exit,
    // the init dies with it and the kernel kills what is left in the namespace; waited for below,
    // so that nothing of the image runs once run() has returned.
    Optional<ProcessHandle> init = sandboxInit(p);
    OutputPump pump = new OutputPump(p.getInputStream(),
        line -> out.onEvent(new KairosEvent.CommandOutput(command.argv(), line)));
    Thread pumpThread = pump.start("sandbox-output");
    Thread stdinThread = feedStdin(p, command.stdin());

    boolean timedOut = false;
    try {
      if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        timedOut = true;
        ProcessTree.kill(p.toHandle());
      }
    } catch (InterruptedException e) {
      ProcessTree.kill(p.toHandle());
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted; stopped " + command);
    } finally {
      HostTool.joinQuietly(pumpThread);
      if (stdinThread != null) {
        HostTool.joinQuietly(stdinThread);
      }
    }
    pump.rethrowConsumerFailure();
    awaitGone(init);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    int exit = timedOut ? -1 : p.exitValue();
    String tail = pump.tail();
    if (exit == 1 && tail.startsWith("bwrap: ") && tail.indexOf('\n') < 0) {
      // bwrap itself failed (a mount refused, no user namespace): its one line is the whole output.
      throw new KairosException("could not start the sandbox for " + command.argv() + ": " + tail);
    }
    return new CommandResult(command.argv(), exit, timedOut, tail, took);
  }

  /**
   * The time {@code rootFs}'s command may take: as asked on this machine's own architecture; for
   * an image of another one (an arm64 image built on amd64), whose programs run under qemu-user,
   * {@link Emulation#TIME_FACTOR} times as long, once it is checked that they can run at all.
   *
   * @throws KairosException naming what to set up when this machine cannot run the image's programs
   */
  static Duration timeBudget(RootFs rootFs, Duration asked) throws IOException {
    Optional<Architecture> arch;
    try {
      arch = Architecture.of(rootFs);
    } catch (UnsupportedTargetException e) {
      return asked; // a machine none of ours (an i386 image): run as ever, the kernel decides
    }
    if (arch.isEmpty() || !Emulation.isForeign(arch.get())) {
      return asked;
    }
    Optional<String> why = Emulation.unavailable(arch.get());
    if (why.isPresent()) {
      throw new KairosException("cannot run commands in the " + arch.get() + " image " + rootFs.root() + ": " + why.get());
    }
    return Emulation.stretch(asked);
  }

  /** bwrap's init, its child of the same program, looked for while bwrap runs (it clones it first thing); empty if bwrap ended first. */
  private static Optional<ProcessHandle> sandboxInit(Process bwrap) {
    while (bwrap.isAlive()) {
      Optional<ProcessHandle> init = bwrap.toHandle().children()
          .filter(c -> c.info().command().filter(cmd -> cmd.endsWith("/bwrap")).isPresent()).findFirst();
      if (init.isPresent()) {
        return init;
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the wait below throws it
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** Waits (up to 30 s: the kernel is killing it) until the sandbox's init and so its namespace are gone. */
  private static void awaitGone(Optional<ProcessHandle> init) throws InterruptedIOException {
    if (init.isEmpty()) {
      return;
    }
    try {
      init.get().onExit().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the sandbox ended");
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // Still there after 30 s (a process stuck in the kernel): it has SIGKILL pending, nothing more to do.
    }
  }

  /** Writes the input on its own thread (a command need not read it before it writes); none: stdin is closed at once. */
  private static Thread feedStdin(Process p, byte[] input) throws IOException {
    OutputStream stdin = p.getOutputStream();
    if (input.length == 0) {
      stdin.close();
      return null;
    }
    Thread t = new Thread(() -> {
      try (stdin) {
        stdin.write(input);
      } catch (IOException e) {
        // The command exited without reading all of it: as with a shell pipe, that is its business.
      }
    }, "sandbox-stdin");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public String toString() {
    return "ChrootRunner[blockServiceStarts=" + blockServiceStarts + ", resolvConf=" + hostResolvConf + "]";
  }
}
