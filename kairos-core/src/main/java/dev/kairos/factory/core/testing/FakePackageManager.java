package dev.kairos.factory.core.testing;

import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.RecordingRunner;
import dev.kairos.factory.core.api.run.RecordingRunner.Reply;
import dev.kairos.factory.core.api.run.Runners;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/**
 * A package manager for tests that downloads nothing and runs nothing, but leaves in the root what
 * a real install leaves that the build then looks at, so a whole {@code build()} runs in memory:
 * systemd units of the services the pipeline enables (fail2ban, ssh, timesyncd, networkd, ...),
 * the binaries the distro strategies and the validator look for, a kernel in {@code /boot} and
 * {@code /lib/modules}, and an initrd (a real xz-compressed newc archive) where dracut or mkinitfs
 * is asked for one. It answers, on a {@link RecordingRunner}, the install and remove commands of
 * apt-get, dnf, yum, zypper, apk and pacman; every call stays recorded.
 *
 * <p>Each installed package also gets {@code /usr/share/doc/<package>/fake-package} (removed again
 * by a remove command), so a test can see what was installed.
 *
 * <pre>{@code
 * RecordingRunner runner = FakePackageManager.runner();
 * try (KairosBuild build = Kairos.fromRoot(root).version("v1.0.0").runner(runner)
 *     .framework(FrameworkSource.directory(framework.root())).build()) {
 *   assertThat(build.validate().valid()).isTrue();
 * }
 * assertThat(runner.argvs()).anyMatch(a -> a.contains("fail2ban"));
 * }</pre>
 */
public final class FakePackageManager {
  /** The kernel version {@link #runner()} installs. */
  public static final String DEFAULT_KERNEL = "6.1.0-1-fake";
  /** Where each installed package leaves its marker: {@code DOC_DIR/<package>/fake-package}. */
  public static final ImagePath DOC_DIR = ImagePath.of("/usr/share/doc");

  private static final ImagePath UNITS = ImagePath.of("/usr/lib/systemd/system");
  private static final Set<String> PROGRAMS = Set.of("apt-get", "apt", "dnf", "yum", "zypper", "apk", "pacman");
  private static final Set<String> INSTALL = Set.of("install", "add", "in", "-S");
  private static final Set<String> REMOVE = Set.of("remove", "del", "rm", "purge", "-R");
  /** Units and binaries a package installs beyond a unit named after itself. */
  private static final Map<String, List<String>> FILES = Map.ofEntries(
      Map.entry("systemd", List.of("/usr/bin/systemctl", "/usr/lib/systemd/systemd", "unit:systemd-networkd.service",
          "unit:systemd-resolved.service", "unit:systemd-timesyncd.service", "unit:getty@.service",
          "unit:getty.target", "unit:multi-user.target", "unit:systemd-firstboot.service", "unit:tmp.mount",
          "unit:systemd-udevd.service", "unit:systemd-logind.service")),
      Map.entry("systemd-timesyncd", List.of("unit:systemd-timesyncd.service")),
      Map.entry("systemd-resolved", List.of("unit:systemd-resolved.service")),
      Map.entry("systemd-network", List.of("unit:systemd-networkd.service")),
      Map.entry("systemd-networkd", List.of("unit:systemd-networkd.service")),
      Map.entry("fail2ban", List.of("/usr/bin/fail2ban-server")),
      Map.entry("openssh-server", List.of("/usr/sbin/sshd", "unit:ssh.service", "unit:sshd.service")),
      Map.entry("openssh", List.of("/usr/sbin/sshd", "unit:sshd.service")),
      Map.entry("chrony", List.of("/usr/sbin/chronyd", "unit:chronyd.service")),
      Map.entry("NetworkManager", List.of("/usr/sbin/NetworkManager")),
      Map.entry("network-manager", List.of("/usr/sbin/NetworkManager", "unit:NetworkManager.service")),
      Map.entry("sudo", List.of("/usr/bin/sudo")),
      Map.entry("less", List.of("/usr/bin/less")),
      Map.entry("nfs-common", List.of("/sbin/mount.nfs")),
      Map.entry("nfs-utils", List.of("/sbin/mount.nfs")),
      Map.entry("nfs-client", List.of("/sbin/mount.nfs")),
      Map.entry("dracut", List.of("/usr/bin/dracut")),
      Map.entry("dracut-core", List.of("/usr/bin/dracut")),
      Map.entry("mkinitfs", List.of("/sbin/mkinitfs")));

  /** Where an image keeps its indexes, which a refresh fills when the image has the directory. */
  public static final ImagePath LISTS = ImagePath.of("/var/lib/apt/lists");
  /** The name of the index file a refresh writes (see {@link #withVersion}). */
  public static final String INDEX_FILE = "fake_dists_stable_Packages";

  /** The version the fake index gives a package it has no version for. */
  public static final String DEFAULT_VERSION = "1.0-1";

  private final String kernel;
  private final Map<String, String> index;

  private FakePackageManager(String kernel) {
    this(kernel, Map.of());
  }

  private FakePackageManager(String kernel, Map<String, String> index) {
    this.kernel = kernel;
    this.index = Map.copyOf(index);
  }

  /**
   * This fake with {@code pkg} at {@code version} in its index: a dry run ({@code apt-get -s},
   * {@code --simulate}) then prints {@code Inst pkg (version)}, and a refresh writes it into the
   * index it leaves, as a mirror update would change both.
   */
  public FakePackageManager withVersion(String pkg, String version) {
    Map<String, String> m = new java.util.HashMap<>(index);
    m.put(Objects.requireNonNull(pkg, "pkg"), Objects.requireNonNull(version, "version"));
    return new FakePackageManager(kernel, m);
  }

  /** A new recording runner with the fake package manager on it, installing {@link #DEFAULT_KERNEL}. */
  public static RecordingRunner runner() {
    return kernel(DEFAULT_KERNEL).installOn(Runners.recording());
  }

  /**
   * A fake package manager whose kernel packages install kernel {@code version}.
   *
   * @throws IllegalArgumentException if {@code version} is blank or has a {@code /}
   */
  public static FakePackageManager kernel(String version) {
    Objects.requireNonNull(version, "version");
    if (version.isBlank() || version.contains("/")) {
      throw new IllegalArgumentException("kernel version must be a non-blank name without '/', got '" + version + "'");
    }
    return new FakePackageManager(version);
  }

  /**
   * Adds this fake's rules to {@code runner} and returns it. Rules added to the runner afterwards
   * win over these, so a test can still script a failure.
   */
  public RecordingRunner installOn(RecordingRunner runner) {
    for (String program : PROGRAMS) {
      runner.whenProgram(program, this::packageManager);
    }
    runner.whenProgram("dracut", (root, cmd) -> initrd(root, cmd, "-f"));
    runner.whenProgram("mkinitfs", (root, cmd) -> initrd(root, cmd, "-o"));
    // The ssh hardening step asks the image's sshd for its version.
    runner.when(cmd -> cmd.argv().stream().anyMatch(a -> a.contains("sshd -h")),
        (root, cmd) -> root.exists(ImagePath.of("/usr/sbin/sshd")) ? Reply.ok("OpenSSH_9.2") : Reply.ok());
    return runner;
  }

  /** The packages installed in {@code root} by this fake and not removed since, sorted. */
  public static List<String> installed(RootFs root) throws IOException {
    List<String> out = new ArrayList<>();
    if (root.isDirectory(DOC_DIR)) {
      for (String name : root.list(DOC_DIR)) {
        if (root.isRegularFile(DOC_DIR.resolve(name).resolve("fake-package"))) {
          out.add(name);
        }
      }
    }
    out.sort(null);
    return out;
  }

  private Reply packageManager(RootFs root, Command cmd) throws IOException {
    List<String> argv = cmd.argv();
    int verb = -1;
    for (int i = 1; i < argv.size(); i++) {
      String a = argv.get(i);
      if (INSTALL.contains(a) || REMOVE.contains(a)) {
        verb = i;
        break;
      }
    }
    if (verb < 0) {
      if (argv.contains("update")) {
        writeIndex(root, cmd);
      }
      return Reply.ok(); // refresh, upgrade, clean: nothing else to leave behind
    }
    boolean install = INSTALL.contains(argv.get(verb));
    List<String> packages = argv.subList(verb + 1, argv.size()).stream().filter(a -> !a.startsWith("-")).toList();
    if (argv.contains("-s") || argv.contains("--simulate")) { // a dry run: what the index would give, nothing changes
      return Reply.ok(packages.stream().map(p -> (install ? "Inst " : "Remv ") + p + " ("
          + index.getOrDefault(p, DEFAULT_VERSION) + ")").toArray(String[]::new));
    }
    for (String p : packages) {
      if (install) {
        install(root, p);
      } else {
        ImagePath marker = DOC_DIR.resolve(p).resolve("fake-package");
        if (root.exists(marker)) {
          root.delete(marker);
        }
      }
    }
    return Reply.ok((install ? "installed " : "removed ") + String.join(" ", packages));
  }

  /**
   * A refresh writes the fake's index ({@link #INDEX_FILE}: its versions, sorted) where the indexes
   * go: the directory {@link PackageManager#RESOLVE_INDEXES_ENV} names for a dry run's update, else
   * {@link #LISTS} when the image has that directory (as a Debian base has).
   */
  private void writeIndex(RootFs root, Command cmd) throws IOException {
    String dir = cmd.env().get(PackageManager.RESOLVE_INDEXES_ENV);
    ImagePath lists = dir != null ? ImagePath.of(dir) : LISTS;
    if (!root.isDirectory(lists)) {
      return;
    }
    StringBuilder text = new StringBuilder();
    new java.util.TreeMap<>(index).forEach((p, v) -> text.append("Package: ").append(p).append("\nVersion: ").append(v)
        .append("\n\n"));
    root.write(lists.resolve(INDEX_FILE), text.toString().getBytes(StandardCharsets.UTF_8), 0644);
  }

  private void install(RootFs root, String pkg) throws IOException {
    write(root, DOC_DIR.resolve(pkg).resolve("fake-package"), "installed by the fake package manager\n", 0644);
    if (isKernelPackage(pkg)) {
      String image = pkg.equals("linux-lts") || pkg.equals("linux-virt") ? "vmlinuz-" + pkg.substring(6) : "vmlinuz-" + kernel;
      write(root, ImagePath.of("/boot").resolve(image), "fake kernel " + kernel + "\n", 0644);
      write(root, ImagePath.of("/lib/modules").resolve(kernel).resolve("modules.order"), "", 0644);
    }
    unit(root, pkg + ".service", pkg);
    for (String f : FILES.getOrDefault(pkg, List.of())) {
      if (f.startsWith("unit:")) {
        unit(root, f.substring(5), pkg);
      } else {
        write(root, ImagePath.of(f), "#!/bin/sh\n# fake " + f + " from package " + pkg + "\n", 0755);
      }
    }
  }

  private static boolean isKernelPackage(String pkg) {
    return pkg.startsWith("linux-image-") || pkg.equals("kernel") || pkg.equals("kernel-default")
        || pkg.equals("kernel-uek") || pkg.equals("linux-lts") || pkg.equals("linux-virt") || pkg.equals("linux");
  }

  private static void unit(RootFs root, String unit, String pkg) throws IOException {
    String body = unit.endsWith(".target") ? "[Unit]\nDescription=" + unit + " (fake, from " + pkg + ")\n"
        : "[Unit]\nDescription=" + unit + " (fake, from " + pkg + ")\n\n[Service]\nExecStart=/bin/true\n\n"
            + "[Install]\nWantedBy=multi-user.target\n";
    write(root, UNITS.resolve(unit), body, 0644);
  }

  /** dracut and mkinitfs: a real xz-compressed newc archive with the binaries dracut's immucore module takes. */
  private Reply initrd(RootFs root, Command cmd, String outputFlag) throws IOException {
    List<String> argv = cmd.argv();
    int at = argv.indexOf(outputFlag);
    if (at < 0 || at + 1 >= argv.size()) {
      return Reply.exit(1, argv.get(0) + ": no output file after " + outputFlag + " (fake)");
    }
    ImagePath out = ImagePath.of(argv.get(at + 1));
    String version = at + 2 < argv.size() ? argv.get(at + 2) : kernel;
    List<String> take = new ArrayList<>();
    for (String bin : List.of("/usr/bin/immucore", "/usr/bin/kairos-agent", "/usr/bin/systemctl")) {
      if (root.stat(ImagePath.of(bin)).map(m -> m.type() == FileType.REGULAR).orElse(false)) {
        take.add(bin.substring(1));
      }
    }
    take.add("lib/modules/" + version + "/kernel/drivers/usb/host/xhci-pci-renesas.ko");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (XZCompressorOutputStream xz = new XZCompressorOutputStream(bytes);
        CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(xz, CpioConstants.FORMAT_NEW)) {
      for (String name : take) {
        byte[] content = ("fake " + name + "\n").getBytes(StandardCharsets.UTF_8);
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, content.length);
        e.setMode(CpioConstants.C_ISREG | 0755);
        cpio.putArchiveEntry(e);
        cpio.write(content);
        cpio.closeArchiveEntry();
      }
    }
    root.createDirectories(out.parent());
    root.write(out, bytes.toByteArray(), 0600);
    return Reply.ok();
  }

  private static void write(RootFs root, ImagePath p, String content, int mode) throws IOException {
    root.createDirectories(p.parent());
    root.write(p, content.getBytes(StandardCharsets.UTF_8), mode);
  }
}
