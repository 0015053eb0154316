package dev.kairos.factory.core.internal.run;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.io.MountTable;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.ProcessTree;
import dev.kairos.factory.core.internal.fs.KeptAside;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the sandbox runner does to an image's files around one command, and undoes after it: the
 * host's {@code resolv.conf} in place of the image's, and a {@code policy-rc.d} that stops package
 * scripts from starting services. (Mounts are not made here: they live in the sandbox's own mount
 * namespace, see {@link ChrootRunner}.) Every change is pushed on a stack as it is made, so that
 * {@link #close()} undoes exactly what was done, in reverse order, whatever failed in between. A
 * JVM shutdown hook (SIGTERM, SIGINT, {@code System.exit}) kills the sandboxes still running and
 * closes their setups; after a SIGKILL of the JVM the next run on the same root puts the image's
 * files back first.
 */
final class ChrootSetup implements AutoCloseable {
  /**
   * Where the runner keeps the image's own files while ours are in place; a name apart from the
   * install phase's, whose {@code policy-rc.d} the runner's replaces around each command.
   */
  static final KeptAside KEPT = KeptAside.by("kairos-saved");
  /** Where runs of earlier versions bound the host's file systems; one left there is refused. */
  private static final List<String> OLD_BINDS = List.of("/proc", "/sys", "/dev", "/dev/pts");
  private static final byte[] POLICY_RC_D = "#!/bin/sh\n# Put in place while the image is built: no service starts.\nexit 101\n"
      .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final Set<ChrootSetup> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ChrootSetup::closeAllOpen, "sandbox-cleanup"));
  }

  @FunctionalInterface
  private interface Undo {
    void undo() throws IOException;
  }

  private final RootFs rootFs;
  private final Path root;
  private final EventListener events;
  private final Deque<Undo> undo = new ArrayDeque<>();
  private volatile Process process;

  private ChrootSetup(RootFs rootFs, EventListener events) {
    this.rootFs = rootFs;
    this.root = rootFs.root();
    this.events = events;
  }

  /**
   * Prepares {@code rootFs} for a command. On failure everything done so far is undone before the
   * exception leaves.
   */
  static ChrootSetup open(RootFs rootFs, boolean blockServiceStarts, Path hostResolvConf, EventListener events)
      throws IOException {
    refuseStaleMounts(rootFs);
    ChrootSetup s = new ChrootSetup(rootFs, events);
    OPEN.add(s);
    try {
      // The sandbox mounts its own /dev, /proc and /sys on these: they must exist in the image.
      for (String dir : List.of("/proc", "/sys", "/dev")) {
        rootFs.createDirectories(ImagePath.of(dir));
      }
      if (hostResolvConf != null) {
        if (Files.isRegularFile(hostResolvConf)) {
          s.replace(ImagePath.of("/etc"), "resolv.conf", Files.readAllBytes(hostResolvConf), 0644);
        } else {
          events.log(KairosEvent.Level.WARN, "no " + hostResolvConf + " on the host; the image keeps its own resolv.conf");
        }
      }
      if (blockServiceStarts) {
        s.replace(ImagePath.of("/usr/sbin"), "policy-rc.d", POLICY_RC_D, 0755);
      }
      return s;
    } catch (IOException | RuntimeException e) {
      try {
        s.close();
      } catch (IOException | RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * A host mount on {@code /proc}, {@code /sys}, {@code /dev} or {@code /dev/pts} of the image was
   * left by a killed run of an earlier version (which bound the host's): a recursive delete of the
   * work directory would walk into the host's devices. Refused, naming it, rather than hidden
   * under the sandbox's own mounts.
   */
  private static void refuseStaleMounts(RootFs rootFs) throws IOException {
    Path root = rootFs.root();
    List<Path> below = MountTable.mountsBelow(root);
    for (String dir : OLD_BINDS) {
      Path target = root.resolve(dir.substring(1));
      if (below.contains(target)) {
        throw new KairosException(dir + ": is already a mount point in " + root
            + " (left by an earlier run?); unmount it first: umount -R " + target);
      }
    }
  }

  /** The command's process, stopped (with its tree) if the JVM exits while it runs. */
  void attach(Process p) {
    this.process = p;
  }

  /**
   * Puts {@code content} at {@code dir/name} in the image, if {@code dir} is a directory there.
   * Whatever was at that name (a file, or a symlink such as systemd-resolved's) is kept aside and
   * put back by the undo; what a killed earlier run left is undone first (see {@link KeptAside}).
   */
  private void replace(ImagePath dir, String name, byte[] content, int mode) throws IOException {
    Path hostDir = rootFs.hostPath(dir, true);
    if (!Files.isDirectory(hostDir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    ImagePath path = dir.resolve(name);
    KEPT.makeWay(rootFs, path, events);
    undo.push(() -> KEPT.putBack(rootFs, path));
    Path file = hostDir.resolve(name);
    Files.write(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(rwx(mode)));
  }

  private static String rwx(int mode) {
    StringBuilder b = new StringBuilder(9);
    String letters = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      b.append((mode & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
    }
    return b.toString();
  }

  /**
   * Undoes every change, newest first, and goes on after a failure; the first failure is thrown
   * at the end with the others suppressed. Idempotent.
   */
  @Override
  public synchronized void close() throws IOException {
    IOException failure = null;
    while (!undo.isEmpty()) {
      try {
        undo.pop().undo();
      } catch (IOException | RuntimeException e) {
        IOException io = e instanceof IOException ? (IOException) e : new KairosException(e.toString(), e);
        if (failure == null) {
          failure = io;
        } else {
          failure.addSuppressed(io);
        }
      }
    }
    OPEN.remove(this);
    if (failure != null) {
      throw failure;
    }
  }

  private static void closeAllOpen() {
    for (ChrootSetup s : OPEN) {
      Process p = s.process;
      if (p != null) {
        // Kills bwrap and, listed before, every process of its PID namespace.
        ProcessTree.kill(p.toHandle());
      }
      try {
        s.close();
      } catch (IOException | RuntimeException e) {
        System.err.println("kairos: could not clean up " + s.root + " at exit: " + e);
      }
    }
  }
}
