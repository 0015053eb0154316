package dev.kairos.factory.core.internal.run;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.io.MountTable;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the chroot runner does to a root around one command, and undoes after it: bind mounts of
 * {@code /proc}, {@code /sys}, {@code /dev} and {@code /dev/pts}, the host's {@code resolv.conf}
 * in place of the image's, and a {@code policy-rc.d} that stops package scripts from starting
 * services. Every change is pushed on a stack as it is made, so that {@link #close()} undoes
 * exactly what was done, in reverse order, whatever failed in between. A JVM shutdown hook closes
 * the setups still open when the JVM exits.
 */
final class ChrootSetup implements AutoCloseable {
  /** Suffix of the name under which an image's own file waits while ours is in place. */
  static final String SAVED_SUFFIX = ".kairos-saved";
  private static final List<String> BINDS = List.of("/proc", "/sys", "/dev", "/dev/pts");
  private static final byte[] POLICY_RC_D = "#!/bin/sh\n# Put in place while the image is built: no service starts.\nexit 101\n"
      .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final Set<ChrootSetup> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ChrootSetup::closeAllOpen, "chroot-cleanup"));
  }

  @FunctionalInterface
  private interface Undo {
    void undo() throws IOException;
  }

  private final RootFs rootFs;
  private final Path root;
  private final Duration toolTimeout;
  private final EventListener events;
  private final Deque<Undo> undo = new ArrayDeque<>();
  private final List<Path> mounted = new ArrayList<>();
  private volatile Process process;

  private ChrootSetup(RootFs rootFs, Duration toolTimeout, EventListener events) {
    this.rootFs = rootFs;
    this.root = rootFs.root();
    this.toolTimeout = toolTimeout;
    this.events = events;
  }

  /**
   * Prepares {@code rootFs} for a command. On failure everything done so far is undone before the
   * exception leaves.
   */
  static ChrootSetup open(RootFs rootFs, boolean blockServiceStarts, Path hostResolvConf, Duration toolTimeout,
      EventListener events) throws IOException {
    ChrootSetup s = new ChrootSetup(rootFs, toolTimeout, events);
    OPEN.add(s);
    try {
      // Mount points are made before /dev is bound: afterwards /dev is the host's.
      for (String dir : BINDS) {
        rootFs.createDirectories(ImagePath.of(dir));
      }
      for (String dir : BINDS) {
        s.bind(dir);
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

  /** The command's process, stopped (with its tree) if the JVM exits while it runs. */
  void attach(Process p) {
    this.process = p;
  }

  private void bind(String inImage) throws IOException {
    Path target = rootFs.hostPath(ImagePath.of(inImage), true);
    if (!target.startsWith(root)) {
      throw new KairosException(inImage + ": resolves outside the root: " + target);
    }
    if (MountTable.isMountPoint(target)) {
      // Most likely left by a run whose JVM was killed outright; stacking on it would hide that.
      throw new KairosException(inImage + ": is already a mount point in " + root
          + " (left by an earlier run?); unmount it first: umount -R " + target);
    }
    HostTool.run(toolTimeout, "mount", "--bind", inImage, target.toString());
    mounted.add(target);
    undo.push(() -> unmount(inImage, target));
  }

  private void unmount(String inImage, Path target) throws IOException {
    try {
      HostTool.run(toolTimeout, "umount", target.toString());
    } catch (IOException e) {
      // Busy (a process the kill missed, a mount made by the command below it): detach it now;
      // the kernel finishes the unmount when the last user is gone.
      HostTool.run(toolTimeout, "umount", "-l", target.toString());
      events.log(KairosEvent.Level.WARN, inImage + " was busy in " + root + ", detached lazily: " + e.getMessage());
    }
  }

  /**
   * Puts {@code content} at {@code dir/name} in the image, if {@code dir} is a directory there.
   * Whatever was at that name (a file, or a symlink such as systemd-resolved's) is moved aside
   * and moved back by the undo; a copy left aside by a crashed earlier run is restored first.
   */
  private void replace(ImagePath dir, String name, byte[] content, int mode) throws IOException {
    Path hostDir = rootFs.hostPath(dir, true);
    if (!Files.isDirectory(hostDir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path file = hostDir.resolve(name);
    Path saved = hostDir.resolve("." + name + SAVED_SUFFIX);
    if (Files.exists(saved, LinkOption.NOFOLLOW_LINKS)) {
      Files.move(saved, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      events.log(KairosEvent.Level.WARN, "restored " + dir.resolve(name) + " left aside by an earlier run");
    }
    boolean had = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    if (had) {
      Files.move(file, saved, StandardCopyOption.ATOMIC_MOVE);
    }
    undo.push(() -> {
      Files.deleteIfExists(file);
      if (had) {
        Files.move(saved, file, StandardCopyOption.ATOMIC_MOVE);
      }
    });
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
   * at the end with the others suppressed. Idempotent. Afterwards no mount is left below the
   * root that this setup made.
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
    List<Path> left = MountTable.mountsBelow(root);
    left.retainAll(mounted);
    if (!left.isEmpty()) {
      KairosException e = new KairosException("mounts still present below " + root + " after cleanup: " + left);
      if (failure != null) {
        e.addSuppressed(failure);
      }
      throw e;
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static void closeAllOpen() {
    for (ChrootSetup s : OPEN) {
      Process p = s.process;
      if (p != null) {
        ProcessTree.kill(p.toHandle());
      }
      ProcessTree.killRootedIn(s.root);
      try {
        s.close();
      } catch (IOException | RuntimeException e) {
        System.err.println("kairos: could not clean up " + s.root + " at exit: " + e);
      }
    }
  }
}
