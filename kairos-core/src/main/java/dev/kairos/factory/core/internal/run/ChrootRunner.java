package dev.kairos.factory.core.internal.run;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.internal.fs.ProcessIdentity;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs commands with {@code chroot(8)}, as root on Linux. Mounts are made per call: each
 * {@link #run} binds {@code /proc}, {@code /sys}, {@code /dev} and {@code /dev/pts}, puts the
 * host's {@code resolv.conf} and (optionally) a {@code policy-rc.d} in place, runs the command and
 * undoes all of it before it returns or throws (see {@link ChrootSetup}). That costs a few
 * milliseconds of {@code mount}/{@code umount} per command and means no state outlives a call.
 * Calls on the same root are serialised; calls on different roots run in parallel.
 */
public final class ChrootRunner implements CommandRunner {
  /** The base environment: a clean, predictable one instead of the JVM's. */
  public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final boolean blockServiceStarts;
  private final Path hostResolvConf;
  private final Duration toolTimeout;
  private final String path;

  /**
   * @param blockServiceStarts whether a {@code policy-rc.d} that exits 101 is in place while commands run
   * @param hostResolvConf the host file copied to the image's {@code /etc/resolv.conf}, or null for none
   * @param toolTimeout how long one {@code mount} or {@code umount} may take
   * @param path the {@code PATH} of the command
   */
  public ChrootRunner(boolean blockServiceStarts, Path hostResolvConf, Duration toolTimeout, String path) {
    this.blockServiceStarts = blockServiceStarts;
    this.hostResolvConf = hostResolvConf;
    this.toolTimeout = toolTimeout;
    this.path = path;
  }

  @Override
  public String name() {
    return "chroot";
  }

  @Override
  public CommandResult run(RootFs rootFs, Command command) throws IOException {
    requireLinuxRoot();
    Path root = rootFs.root();
    if (root.getFileSystem() != FileSystems.getDefault()) {
      throw new IllegalArgumentException("the chroot runner needs a root on the default file system, not " + root.toUri());
    }
    if (root.getParent() == null) {
      throw new IllegalArgumentException("refusing to chroot into the host's own /");
    }
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
    try (ChrootSetup setup = ChrootSetup.open(rootFs, blockServiceStarts, hostResolvConf, toolTimeout, command.output())) {
      return execute(root, workDir, command, setup);
    } finally {
      lock.unlock();
    }
  }

  private CommandResult execute(Path root, ImagePath workDir, Command command, ChrootSetup setup) throws IOException {
    List<String> argv = new ArrayList<>(List.of(HostTool.find("chroot"), root.toString()));
    if (!workDir.isRoot()) {
      // chroot(8) always starts in the new /; a shell inside changes directory before exec.
      argv.addAll(List.of("/bin/sh", "-c", "cd -- \"$0\" && exec \"$@\"", workDir.toString()));
    }
    argv.addAll(command.argv());
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", path);
    env.put("HOME", "/root");
    env.put("LANG", "C.UTF-8");
    env.putAll(command.env());

    EventListener out = command.output();
    long start = System.nanoTime();
    Process p = pb.start();
    setup.attach(p);
    OutputPump pump = new OutputPump(p.getInputStream(),
        line -> out.onEvent(new KairosEvent.CommandOutput(command.argv(), line)));
    Thread pumpThread = pump.start("chroot-output");
    Thread stdinThread = feedStdin(p, command.stdin());

    boolean timedOut = false;
    try {
      if (!p.waitFor(command.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
        timedOut = true;
        ProcessTree.kill(p.toHandle());
      }
    } catch (InterruptedException e) {
      ProcessTree.kill(p.toHandle());
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted; stopped " + command);
    } finally {
      // Daemons a package script started inside the image would keep the mounts busy.
      List<Long> stragglers = ProcessTree.killRootedIn(root);
      if (!stragglers.isEmpty()) {
        out.log(KairosEvent.Level.WARN, "killed processes left running in " + root + ": " + stragglers);
      }
      HostTool.joinQuietly(pumpThread);
      if (stdinThread != null) {
        HostTool.joinQuietly(stdinThread);
      }
    }
    pump.rethrowConsumerFailure();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new CommandResult(command.argv(), timedOut ? -1 : p.exitValue(), timedOut, pump.tail(), took);
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
    }, "chroot-stdin");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void requireLinuxRoot() throws KairosException {
    String os = System.getProperty("os.name", "");
    if (!os.startsWith("Linux")) {
      throw new KairosException("the chroot runner needs Linux, this is " + os);
    }
    if (!ProcessIdentity.isRoot()) {
      throw new KairosException("the chroot runner needs root (chroot(2) and mount(2)); this process runs as uid "
          + ProcessIdentity.uid() + ". Use a recording runner in unit tests.");
    }
  }

  @Override
  public String toString() {
    return "ChrootRunner[blockServiceStarts=" + blockServiceStarts + ", resolvConf=" + hostResolvConf + "]";
  }
}
