package dev.kairos.factory.core.it;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Emulation;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.internal.fs.ProcessIdentity;
import dev.kairos.factory.core.internal.run.HostTool;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian 12 (bookworm) root file systems for integration tests, made with debootstrap from
 * Debian's mirror once and cached as {@code .tar.zst} files in the directory named by the system
 * property {@code kairos.test.cache} (default {@code /var/cache/kairos-factory-tests}). The cold
 * path always works: a missing tarball is made (written under a temporary name, then renamed),
 * and a file lock keeps two test JVMs from making the same one at once. Owners are stored
 * numerically, extended attributes are kept. Needs root, {@code debootstrap}, {@code tar} and
 * {@code zstd}; call {@link #assumeUsable()} first to skip where they are missing.
 *
 * <pre>{@code
 * @Test
 * void installsIntoDebian(@TempDir Path tmp) throws Exception {   // better: Scratch.create(...)
 *   DebianFixture.assumeUsable();
 *   RootFs root = DebianFixture.extract(DebianFixture.minbaseTarball(), tmp.resolve("root"));
 *   ...
 * }
 * }</pre>
 *
 * <p>Delete extracted roots with {@link Scratch#delete}, which never crosses into a mount.
 */
public final class DebianFixture {
  public static final String SUITE = "bookworm";
  public static final String MIRROR = "http://deb.debian.org/debian";
  /** What {@link #withKernelTarball()} adds to the minimal base. */
  public static final List<String> KERNEL_PACKAGES =
      List.of("linux-image-amd64", "systemd", "systemd-sysv", "dracut", "dracut-live");
  /** Debian's shim signed by Microsoft's UEFI CA and GRUB signed by Debian. */
  public static final List<String> SIGNED_BOOT_PACKAGES = List.of("shim-signed", "grub-efi-amd64-signed");
  /** Bumped whenever a recipe changes, so that stale caches are not reused. */
  private static final String RECIPE = "v1";

  private DebianFixture() {}

  /** Skips the calling test unless this is Linux, the JVM runs as root and the tools are there. */
  public static void assumeUsable() {
    Assumptions.assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "needs Linux");
    Assumptions.assumeTrue(ProcessIdentity.isRoot(), "needs root (debootstrap, chroot, numeric owners)");
    for (String tool : List.of("debootstrap", "tar", "zstd", "bwrap")) {
      Assumptions.assumeTrue(HostTool.exists(tool), "needs the host tool " + tool);
    }
  }

  /**
   * As {@link #assumeUsable()}, and skips unless this machine runs arm64 programs (its own, or
   * qemu-user through binfmt_misc), with the reason and what to do.
   */
  public static void assumeArm64() {
    assumeUsable();
    Optional<String> why = Emulation.unavailable(Architecture.ARM64);
    Assumptions.assumeTrue(why.isEmpty(), () -> why.orElse(""));
  }

  /** The cache directory, created if missing. */
  public static Path cacheDir() throws IOException {
    Path dir = Path.of(System.getProperty("kairos.test.cache", "/var/cache/kairos-factory-tests"));
    return Files.createDirectories(dir);
  }

  /**
   * {@code debootstrap --variant=minbase bookworm} from {@link #MIRROR}, as a tarball; made on
   * first use (about 30 to 50 s), then taken from the cache.
   */
  public static synchronized Path minbaseTarball() throws IOException {
    return cached("debian-" + SUITE + "-minbase-" + RECIPE, (root, log) ->
        run(log, Duration.ofMinutes(20), "debootstrap", "--variant=minbase", SUITE, root.toString(), MIRROR));
  }

  /**
   * {@code debootstrap --arch=arm64 --variant=minbase bookworm} from {@link #MIRROR}, its second
   * stage under emulation (see {@link #assumeArm64()}), as a tarball; made on first use (about 6
   * minutes on a loaded 2-core machine), then taken from the cache.
   */
  public static synchronized Path arm64MinbaseTarball() throws IOException {
    return cached("debian-" + SUITE + "-arm64-minbase-" + RECIPE, (root, log) -> run(log, Duration.ofMinutes(60),
        "debootstrap", "--arch=arm64", "--variant=minbase", SUITE, root.toString(), MIRROR));
  }

  /**
   * The minimal base plus {@link #KERNEL_PACKAGES} installed with apt-get through the chroot
   * runner ({@code --no-install-recommends}), then the apt cache and lists removed. The kernel's
   * install hooks are told not to make an initrd ({@code INITRD=No}): a test runs dracut with the
   * options it needs. Made on first use (about a minute after the base), then cached.
   */
  public static synchronized Path withKernelTarball() throws IOException {
    Path base = minbaseTarball();
    return cached("debian-" + SUITE + "-kernel-" + RECIPE, (root, log) -> aptInstall(extract(base, root), log, KERNEL_PACKAGES));
  }

  /** What {@link #arm64WithKernelTarball()} adds to the arm64 base: the kernel packages and the signed arm64 pair. */
  public static final List<String> ARM64_KERNEL_PACKAGES = List.of("linux-image-arm64", "systemd", "systemd-sysv",
      "dracut", "dracut-live", "shim-signed", "grub-efi-arm64-signed");

  /**
   * The arm64 base ({@link #arm64MinbaseTarball()}) plus {@link #ARM64_KERNEL_PACKAGES}, installed as
   * {@link #withKernelTarball()} installs its own, every command under emulation; made on first
   * use (tens of minutes on a loaded machine), then cached.
   */
  public static synchronized Path arm64WithKernelTarball() throws IOException {
    Path base = arm64MinbaseTarball();
    return cached("debian-" + SUITE + "-arm64-kernel-" + RECIPE,
        (root, log) -> aptInstall(extract(base, root), log, ARM64_KERNEL_PACKAGES));
  }

  /**
   * The kernel root plus Debian's signed shim and GRUB ({@link #SIGNED_BOOT_PACKAGES}), the pair a
   * Secure Boot live ISO boots through. Made on first use (under a minute after the kernel root), then cached.
   */
  public static synchronized Path withSignedBootTarball() throws IOException {
    Path kernel = withKernelTarball();
    return cached("debian-" + SUITE + "-signed-boot-" + RECIPE,
        (root, log) -> aptInstall(extract(kernel, root), log, SIGNED_BOOT_PACKAGES));
  }

  /** apt-get update, install without recommends, then the package lists and archives removed again. */
  private static void aptInstall(RootFs rootFs, BufferedWriter log, List<String> packages) throws IOException {
    CommandRunner runner = Runners.chroot();
    EventListener toLog = event -> {
      try {
        log.write(event instanceof KairosEvent.CommandOutput o ? o.line() : event.toString());
        log.newLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    runner.run(rootFs, Command.builder("apt-get", "update").timeout(Duration.ofMinutes(10)).output(toLog).build())
        .requireSuccess();
    runner.run(rootFs, Command.builder(concat(List.of("apt-get", "install", "-y", "--no-install-recommends"), packages))
            .env("DEBIAN_FRONTEND", "noninteractive")
            .env("INITRD", "No")
            .timeout(Duration.ofMinutes(30))
            .output(toLog)
            .build())
        .requireSuccess();
    runner.run(rootFs, Command.builder("/bin/sh", "-c", "apt-get clean && rm -rf /var/lib/apt/lists/*")
        .timeout(Duration.ofMinutes(5)).output(toLog).build()).requireSuccess();
  }

  /**
   * Extracts {@code tarball} into {@code dir} (created if missing) with the host's tar, keeping
   * numeric owners, modes, device nodes and extended attributes, and returns it as a root.
   */
  public static RootFs extract(Path tarball, Path dir) throws IOException {
    Files.createDirectories(dir);
    HostTool.run(Duration.ofMinutes(10), "tar", "--numeric-owner", "--xattrs", "--xattrs-include=*", "--zstd",
        "-xpf", tarball.toString(), "-C", dir.toString());
    return RootFs.at(dir);
  }

  @FunctionalInterface
  private interface Recipe {
    void make(Path root, BufferedWriter log) throws IOException;
  }

  /**
   * The tarball {@code name}.tar.zst in the cache, made by {@code recipe} into a scratch root if it
   * is not there yet. A lock file serialises makers across JVMs; whoever gets the lock second
   * finds the tarball made.
   */
  private static Path cached(String name, Recipe recipe) throws IOException {
    Path cache = cacheDir();
    Path tarball = cache.resolve(name + ".tar.zst");
    if (Files.isRegularFile(tarball)) {
      return tarball;
    }
    try (FileChannel lockFile = FileChannel.open(cache.resolve(name + ".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock()) {
      if (Files.isRegularFile(tarball)) {
        return tarball;
      }
      long start = System.nanoTime();
      Path work = Files.createTempDirectory(cache, name + ".work-");
      Path logFile = cache.resolve(name + ".log");
      try (BufferedWriter log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
        Path root = work.resolve("root");
        recipe.make(root, log);
        Path partial = work.resolve(name + ".tar.zst.partial");
        HostTool.run(Duration.ofMinutes(10), "tar", "--numeric-owner", "--xattrs", "--xattrs-include=*", "--zstd",
            "-cf", partial.toString(), "-C", root.toString(), ".");
        Files.move(partial, tarball, StandardCopyOption.ATOMIC_MOVE);
        log.write("made " + tarball + " in " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
        log.newLine();
      } catch (IOException | RuntimeException e) {
        throw new KairosException("could not make the test fixture " + tarball + " (log: " + logFile + ")", e);
      } finally {
        List<Path> leaked = Scratch.delete(work);
        if (!leaked.isEmpty()) {
          System.err.println("DebianFixture: detached mounts left below " + work + ": " + leaked);
        }
      }
      return tarball;
    }
  }

  private static void run(BufferedWriter log, Duration timeout, String... argv) throws IOException {
    log.write(HostTool.run(timeout, argv));
  }

  private static String[] concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toArray(String[]::new);
  }
}
