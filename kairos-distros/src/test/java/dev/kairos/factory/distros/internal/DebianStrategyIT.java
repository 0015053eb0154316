package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.InitSystem;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.PackageSelection;
import dev.kairos.factory.core.api.distro.PackageSet;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.api.run.HostProcess;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real debootstrapped Debian 12 root: detected as debian 12, then the Debian strategy's own
 * package-manager commands, run through the chroot runner, install its base list (systemd, dracut,
 * GRUB) and its kernel. The installed root is cached as a tarball in the test cache; the cold path
 * (no tarball yet) makes it.
 */
class DebianStrategyIT {
  /** Bumped whenever the install recipe changes, so that a stale cache is not reused. */
  private static final String CACHED = "debian-bookworm-distros-installed-v1";
  private Path scratch;

  @BeforeEach
  void setUp() throws IOException {
    DebianFixture.assumeUsable();
    scratch = Scratch.create("distros-it-");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (scratch != null) {
      assertThat(Scratch.delete(scratch)).as("mounts left behind").isEmpty();
    }
  }

  @Test
  void minbaseIsDetectedAsDebian12() throws Exception {
    RootFs root = DebianFixture.extract(DebianFixture.minbaseTarball(), scratch.resolve("root"));
    DistroInfo info = Distros.detect(root);
    assertThat(info.distro()).isEqualTo("debian");
    assertThat(info.version()).isEqualTo("12");
    assertThat(info.family()).isEqualTo(Family.DEBIAN);
    assertThat(info.arch()).isEqualTo(Architecture.AMD64);
    assertThat(info.prettyName()).isEqualTo("Debian GNU/Linux 12 (bookworm)");
    assertThat(info.kairosReleaseFields()).containsEntry("KAIROS_FLAVOR_RELEASE", "12");
  }

  @Test
  void strategyInstallsKernelSystemdDracutAndGrubThroughTheChrootRunner() throws Exception {
    RootFs root = DebianFixture.extract(installedTarball(), scratch.resolve("root"));
    DistroInfo info = Distros.detect(root);
    assertThat(info.initSystem()).isEqualTo(InitSystem.SYSTEMD);
    DistroStrategy debian = Distros.strategy(info.family());

    String kernel = debian.chooseKernel(root, Model.GENERIC);
    assertThat(kernel).matches("6\\.1\\.\\d+-\\d+-amd64");
    assertThat(root.isDirectory(ImagePath.of("/lib/modules", kernel, "kernel"))).isTrue();
    assertThat(root.isRegularFile(ImagePath.of("/boot/vmlinuz-" + kernel))).isTrue();
    assertThat(root.list(ImagePath.of("/boot"))).anyMatch(n -> n.startsWith("vmlinuz-"));
    List<String> stanzas = List.of(root.readString(ImagePath.of("/var/lib/dpkg/status")).split("\n\n"));
    for (String pkg : List.of("linux-image-amd64", "firmware-linux-free", "systemd", "systemd-sysv", "dracut",
        "dracut-live", "dracut-network", "grub-efi-amd64-bin", "grub-efi-amd64-signed", "grub-pc-bin", "shim-signed")) {
      assertThat(stanzas).as(pkg).anyMatch(st -> st.startsWith("Package: " + pkg + "\n")
          && st.contains("\nStatus: install ok installed\n"));
    }
    assertThat(root.isDirectory(ImagePath.of("/usr/lib/grub/x86_64-efi"))).isTrue();
    assertThat(root.exists(ImagePath.of("/usr/sbin/policy-rc.d"))).as("blocker removed").isFalse();

    // The strategy's initrd commands work on the installed kernel.
    CommandRunner runner = Runners.chroot();
    for (Command c : debian.initrdCommands(info, kernel, ImagePath.of("/boot/initrd"))) {
      runner.run(root, c.toBuilder().timeout(Duration.ofMinutes(10)).build()).requireSuccess();
    }
    assertThat(root.metadata(ImagePath.of("/boot/initrd")).size()).isGreaterThan(1_000_000);

    // dracut --reproducible --nohardlink: a second build, minutes later, has the same bytes (cpio
    // inode numbers counted instead of taken from the disk, the files dracut made given one fixed
    // time, no links that depend on which second two files were written in)
    ImagePath again = ImagePath.of("/boot/initrd.again");
    for (Command c : debian.initrdCommands(info, kernel, again)) {
      runner.run(root, c.toBuilder().timeout(Duration.ofMinutes(10)).build()).requireSuccess();
    }
    assertThat(sha256(root, again)).isEqualTo(sha256(root, ImagePath.of("/boot/initrd")));
  }

  private static String sha256(RootFs root, ImagePath file) throws Exception {
    try (java.io.InputStream in = root.newInputStream(file)) {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return java.util.HexFormat.of().formatHex(md.digest());
    }
  }

  /** The installed root from the cache, made from the minimal base if it is not there yet. */
  private static Path installedTarball() throws IOException {
    Path cache = DebianFixture.cacheDir();
    Path tarball = cache.resolve(CACHED + ".tar.zst");
    if (Files.isRegularFile(tarball)) {
      return tarball;
    }
    try (FileChannel lockFile = FileChannel.open(cache.resolve(CACHED + ".lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock();
        PrintWriter log = new PrintWriter(Files.newBufferedWriter(cache.resolve(CACHED + ".log"), StandardCharsets.UTF_8))) {
      if (Files.isRegularFile(tarball)) {
        return tarball;
      }
      Path work = Files.createTempDirectory(cache, CACHED + ".work-");
      try {
        install(DebianFixture.extract(DebianFixture.minbaseTarball(), work.resolve("root")), log);
        Path partial = work.resolve("partial.tar.zst");
        HostProcess.run(List.of("tar", "--numeric-owner", "--xattrs", "--xattrs-include=*", "--zstd", "-cf",
            partial.toString(), "-C", work.resolve("root").toString(), "."), Map.of(), Duration.ofMinutes(10), EventListener.NONE);
        Files.move(partial, tarball, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Scratch.delete(work);
      }
      return tarball;
    }
  }

  /**
   * What the pipeline's installPackages and installKernel steps do: the whole base list (GRUB and
   * the dracut toolchain included), then the kernel, each as refresh, upgrade, install.
   */
  private static void install(RootFs root, PrintWriter log) throws IOException {
    EventListener toLog = e -> log.println(e instanceof KairosEvent.CommandOutput o ? o.line() : e.toString());
    DistroInfo info = Distros.detect(root);
    assertThat(info.distro()).isEqualTo("debian");
    DistroStrategy debian = Distros.strategy(info.family());
    PackageSet set = debian.packages(PackageSelection.builder(info).build());
    assertThat(set.base()).contains("systemd", "dracut", "grub-efi-amd64-bin");

    PackageManager apt = debian.packageManager(info);
    List<Command> commands = new ArrayList<>(apt.addRepositories(Model.GENERIC));
    commands.addAll(List.of(apt.refresh(), apt.upgrade(), apt.install(set.base())));
    commands.addAll(List.of(apt.refresh(), apt.upgrade(), apt.install(set.kernel())));
    commands.addAll(apt.clean());
    for (PackageManager.TemporaryFile f : apt.serviceStartBlockers()) {
      root.write(f.path(), f.content().getBytes(StandardCharsets.UTF_8), f.mode());
    }
    CommandRunner runner = Runners.chroot();
    try {
      for (Command c : commands) {
        log.println("$ " + c);
        runner.run(root, c.toBuilder().output(toLog).build()).requireSuccess();
      }
    } finally {
      for (PackageManager.TemporaryFile f : apt.serviceStartBlockers()) {
        root.delete(f.path());
      }
    }
  }
}
