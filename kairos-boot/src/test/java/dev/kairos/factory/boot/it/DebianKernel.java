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
 * A real Debian kernel for boot tests, without root fixtures: {@code apt-get download} of the
 * package {@code linux-image-amd64} depends on, unpacked with {@code dpkg-deb -x}; only the
 * {@code vmlinuz} is kept, in the {@code kairos.test.cache} directory.
 */
public final class DebianKernel {
  private DebianKernel() {
  }

  /** The test cache directory ({@code kairos.test.cache}, default {@code /var/cache/kairos-factory-tests}). */
  public static Path cacheDir() throws IOException {
    Path dir = Path.of(System.getProperty("kairos.test.cache", "/var/cache/kairos-factory-tests"));
    if (dir.toString().isBlank() || dir.toString().equals("${kairos.test.cache}")) {
      dir = Path.of("/var/cache/kairos-factory-tests");
    }
    Files.createDirectories(dir);
    return dir;
  }

  /** The cached vmlinuz, downloading and unpacking it on a cold cache. */
  public static synchronized Path vmlinuz() throws IOException {
    Path dir = cacheDir().resolve("debian-kernel");
    Files.createDirectories(dir);
    try (Stream<Path> s = Files.list(dir)) {
      Path cached = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst().orElse(null);
      if (cached != null) {
        return cached;
      }
    }
    String depends = Exec.run(dir, 60, List.of("apt-cache", "depends", "linux-image-amd64")).ok().output();
    Matcher m = Pattern.compile("Depends: (linux-image-[0-9][^\\s]*-amd64)").matcher(depends);
    if (!m.find()) {
      throw new IOException("cannot find the kernel package in: " + depends);
    }
    String pkg = m.group(1);
    Path work = Files.createTempDirectory(dir, "download");
    try {
      Exec.run(work, 600, List.of("apt-get", "download", "-q", pkg)).ok();
      Path deb;
      try (Stream<Path> s = Files.list(work)) {
        deb = s.filter(p -> p.toString().endsWith(".deb")).findFirst().orElseThrow();
      }
      Exec.sh(work, "dpkg-deb --fsys-tarfile " + deb.getFileName() + " | tar -x --wildcards './boot/vmlinuz-*'").ok();
      Path vmlinuz;
      try (Stream<Path> s = Files.list(work.resolve("boot"))) {
        vmlinuz = s.findFirst().orElseThrow();
      }
      Path target = dir.resolve(vmlinuz.getFileName().toString());
      Files.move(vmlinuz, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } finally {
      Exec.sh(dir, "rm -rf '" + work.getFileName() + "'");
    }
  }
}
