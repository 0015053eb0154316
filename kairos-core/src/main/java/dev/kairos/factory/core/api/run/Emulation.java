package dev.kairos.factory.core.api.run;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Whether this machine can run another architecture's programs, as an arm64 image's package
 * installs and dracut need on an amd64 build machine: through {@code qemu-user} ({@code
 * qemu-user-static}), which the kernel starts for such binaries once its entry is registered in
 * {@code binfmt_misc}. The entry must have the {@code F} flag (the interpreter is opened when it is
 * registered), since a command in an image cannot see the host's {@code /usr/libexec/qemu-binfmt}.
 * Debian's entries ({@code /usr/lib/binfmt.d/qemu-*.conf}) have it.
 *
 * <pre>{@code
 * Emulation.unavailable(Architecture.ARM64).ifPresent(why -> System.err.println(why));
 * }</pre>
 */
public final class Emulation {
  /** Where the kernel's binfmt_misc entries are. */
  public static final Path BINFMT_MISC = Path.of("/proc/sys/fs/binfmt_misc");
  /**
   * How much longer a command may take under emulation than on its own architecture: qemu-user
   * translates every instruction (a package install or dracut is five to ten times slower).
   */
  public static final int TIME_FACTOR = 10;

  private Emulation() {}

  /**
   * Whether {@code arch} is not this machine's own (its programs run only under emulation).
   *
   * @throws UnsupportedTargetException if this machine's architecture is none of ours
   */
  public static boolean isForeign(Architecture arch) throws UnsupportedTargetException {
    return arch != Architecture.host();
  }

  /** The binfmt_misc entry name Debian's qemu-user-static registers for {@code arch}, e.g. {@code qemu-aarch64}. */
  public static String entryName(Architecture arch) {
    return "qemu-" + arch.unameName();
  }

  /**
   * Why programs of {@code arch} cannot run here, with what to do about it; empty when they can
   * (this machine's own architecture, or an enabled {@code binfmt_misc} entry with the {@code F} flag).
   */
  public static Optional<String> unavailable(Architecture arch) {
    try {
      if (!isForeign(arch)) {
        return Optional.empty();
      }
    } catch (UnsupportedTargetException e) {
      return Optional.of(e.getMessage());
    }
    return unavailable(arch, BINFMT_MISC);
  }

  /** As {@link #unavailable(Architecture)} for a foreign {@code arch}, reading the entries below {@code binfmtMisc}. */
  static Optional<String> unavailable(Architecture arch, Path binfmtMisc) {
    String name = entryName(arch);
    String fix = "; install qemu-user-static and register " + name + " in binfmt_misc (as root: the project's"
        + " scripts/install-host-tools.sh does both, or: mount -t binfmt_misc binfmt_misc " + binfmtMisc
        + "; grep -v '^#' /usr/lib/binfmt.d/" + name + ".conf > " + binfmtMisc + "/register)";
    if (!Files.exists(binfmtMisc.resolve("register"))) {
      return Optional.of(arch + " programs need emulation, but binfmt_misc is not mounted on " + binfmtMisc + fix);
    }
    Path entry = binfmtMisc.resolve(name);
    List<String> lines;
    try {
      lines = Files.readAllLines(entry, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.of(arch + " programs need emulation, but binfmt_misc has no entry " + name + fix);
    }
    if (lines.isEmpty() || !lines.get(0).equals("enabled")) {
      return Optional.of(arch + " programs need emulation, but the binfmt_misc entry " + entry + " is disabled"
          + " (as root: echo 1 > " + entry + ")");
    }
    boolean fixBinary = lines.stream().anyMatch(l -> l.startsWith("flags:") && l.substring(6).contains("F"));
    if (!fixBinary) {
      return Optional.of("the binfmt_misc entry " + entry + " lacks the F flag, so its interpreter is not found inside"
          + " an image; remove it (echo -1 > " + entry + ") and register it again from qemu-user-static's"
          + " /usr/lib/binfmt.d/" + name + ".conf");
    }
    return Optional.empty();
  }

  /** {@code timeout} as it is under emulation ({@link #TIME_FACTOR} times longer), capped so that it cannot overflow. */
  public static Duration stretch(Duration timeout) {
    Duration max = Duration.ofDays(365);
    return timeout.compareTo(max.dividedBy(TIME_FACTOR)) >= 0 ? max : timeout.multipliedBy(TIME_FACTOR);
  }
}
