package dev.kairos.factory.boot.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Files of Debian's arm64 packages for boot tests on an amd64 machine, without an arm64 root and
 * without emulation: the host's apt, in a directory of its own set to arm64 (nothing of the
 * host's apt state is read or changed), downloads the package ({@code apt-get download}), and
 * {@code dpkg-deb -x} unpacks it; only the file asked for is kept, in the {@code kairos.test.cache}
 * directory, so a warm cache needs no network.
 */
public final class DebianArm64Files {
  /** non-free-firmware for the Raspberry Pi's firmware ({@code raspi-firmware}). */
  private static final String MIRROR = "http://deb.debian.org/debian bookworm main non-free-firmware";

  private DebianArm64Files() {
  }

  /** Debian's arm64 systemd stub ({@code systemd-boot-efi}'s {@code linuxaa64.efi.stub}). */
  public static Path stub() throws IOException {
    return file("systemd-boot-efi", "usr/lib/systemd/boot/efi/linuxaa64.efi.stub");
  }

  /** Debian's static busybox for arm64 ({@code busybox-static}). */
  public static Path busybox() throws IOException {
    return file("busybox-static", "bin/busybox");
  }

  /** The kernel of {@code linux-image-arm64} (Debian's arm64 {@code vmlinuz}, an uncompressed {@code Image}). */
  public static synchronized Path kernel() throws IOException {
    Path dir = Files.createDirectories(DebianKernel.cacheDir().resolve("debian-arm64-files/kernel"));
    try (Stream<Path> s = Files.list(dir)) {
      Path cached = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst().orElse(null);
      if (cached != null) {
        return cached;
      }
    }
    return extract(kernelPackage(dir), "boot/vmlinuz-*", dir);
  }

  /**
   * The Broadcom device trees of {@code linux-image-arm64}'s kernel ({@code bcm2837-rpi-3-b.dtb},
   * {@code bcm2711-rpi-4-b.dtb}, ...): a directory {@code broadcom} in one named after the kernel
   * package, as the package puts them in {@code /usr/lib/<package>/broadcom}.
   */
  public static synchronized Path kernelDeviceTrees() throws IOException {
    Path top = Files.createDirectories(DebianKernel.cacheDir().resolve("debian-arm64-files/kernel-dtbs"));
    try (Stream<Path> s = Files.list(top)) {
      Path cached = s.filter(p -> Files.isDirectory(p.resolve("broadcom"))).findFirst().orElse(null);
      if (cached != null) {
        return cached.resolve("broadcom");
      }
    }
    String pkg = kernelPackage(top);
    Path dir = Files.createDirectories(top.resolve(pkg));
    return extract(pkg, "usr/lib/" + pkg + "/broadcom", dir);
  }

  /** The versioned package {@code linux-image-arm64} depends on, e.g. {@code linux-image-6.1.0-28-arm64}. */
  private static String kernelPackage(Path cwd) throws IOException {
    String depends = apt(List.of("apt-cache", "depends", "linux-image-arm64"), cwd);
    Matcher m = Pattern.compile("Depends: (linux-image-[0-9][^\\s]*-arm64)").matcher(depends);
    if (!m.find()) {
      throw new IOException("cannot find the arm64 kernel package in: " + depends);
    }
    return m.group(1);
  }

  /**
   * The file or directory {@code path} (e.g. {@code usr/lib/raspi-firmware}) of the arm64 package
   * {@code pkg}, downloaded and unpacked on a cold cache.
   */
  public static synchronized Path file(String pkg, String path) throws IOException {
    Path dir = DebianKernel.cacheDir().resolve("debian-arm64-files/" + pkg);
    Path target = dir.resolve(Path.of(path).getFileName());
    if (Files.exists(target)) {
      return target;
    }
    Files.createDirectories(dir);
    return extract(pkg, path, dir);
  }

  /** Downloads {@code pkg}, unpacks the one file or directory matching {@code pattern} and moves it into {@code dir}. */
  private static Path extract(String pkg, String pattern, Path dir) throws IOException {
    Path work = Files.createTempDirectory(dir, "download");
    try {
      apt(List.of("apt-get", "download", "-q", pkg), work);
      Path deb;
      try (Stream<Path> s = Files.list(work)) {
        deb = s.filter(p -> p.toString().endsWith(".deb")).findFirst().orElseThrow();
      }
      Exec.sh(work, "mkdir x && dpkg-deb -x '" + deb.getFileName() + "' x").ok();
      Path found = Exec.sh(work.resolve("x"), "ls -d ./" + pattern).ok().output().lines().findFirst()
          .map(l -> work.resolve("x").resolve(l.strip()).normalize()).orElseThrow();
      Path target = dir.resolve(found.getFileName());
      Files.move(found, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } finally {
      Exec.sh(dir, "rm -rf '" + work.getFileName() + "'");
    }
  }

  /**
   * Runs an apt command with the private arm64 apt (its lists fetched once, kept beside the
   * cached files) in {@code cwd}; returns its output.
   */
  private static String apt(List<String> cmd, Path cwd) throws IOException {
    Path a = DebianKernel.cacheDir().resolve("debian-arm64-files/apt").toAbsolutePath();
    for (String d : List.of("etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/sources.list.d",
        "var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "var/lib/dpkg")) {
      Files.createDirectories(a.resolve(d));
    }
    Path conf = a.resolve("apt.conf");
    Files.writeString(conf, "Dir \"" + a + "/\";\n"
        + "Dir::State::status \"" + a + "/var/lib/dpkg/status\";\n"
        + "Dir::Etc::TrustedParts \"/etc/apt/trusted.gpg.d/\";\n"
        + "APT::Architecture \"arm64\";\n"
        + "APT::Architectures { \"arm64\"; };\n"
        + "Acquire::Languages \"none\";\n"
        + "Debug::NoLocking \"true\";\n"
        + "APT::Sandbox::User \"root\";\n");
    Files.writeString(a.resolve("etc/apt/sources.list"), "deb " + MIRROR + "\n");
    if (!Files.exists(a.resolve("var/lib/dpkg/status"))) {
      Files.createFile(a.resolve("var/lib/dpkg/status"));
    }
    boolean hasLists;
    try (Stream<Path> s = Files.list(a.resolve("var/lib/apt/lists"))) {
      // Lists fetched before non-free-firmware was a component are fetched again.
      hasLists = s.anyMatch(p -> p.getFileName().toString().endsWith("non-free-firmware_binary-arm64_Packages"));
    }
    if (!hasLists) {
      Exec.run(cwd, 600, List.of("sh", "-c", "APT_CONFIG=" + conf + " apt-get -q update")).ok();
    }
    StringBuilder line = new StringBuilder("APT_CONFIG=" + conf);
    cmd.forEach(c -> line.append(' ').append(c));
    return Exec.run(cwd, 600, List.of("sh", "-c", line.toString())).ok().output();
  }
}
