package dev.kairos.factory.boot.it;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.Runners;
import java.io.IOException;
import java.time.Duration;

/**
 * Prepares an extracted Debian root (with a kernel, systemd and dracut, e.g. the with-kernel
 * {@code DebianFixture}) for a boot test: a unit that prints a marker on the serial console and
 * powers off, and a small dracut initrd made in the chroot with only the modules the test needs
 * (a full initrd takes a minute to make and is slow to unpack under TCG).
 *
 * <pre>{@code
 * DracutRootfs.markerUnit(root, "KAIROS_LIVE_OK", "root=$(findmnt -n -o FSTYPE /run/rootfsbase)");
 * String kver = DracutRootfs.initrd(root, "dmsquash-live", "isofs squashfs overlay loop");
 * // the initrd is /boot/initrd.img-<kver>
 * }</pre>
 */
public final class DracutRootfs {
  /** The dracut modules every boot test needs: systemd in the initrd, a block root, power-off. */
  public static final String BASE_MODULES = "base systemd systemd-initrd dracut-systemd rootfs-block fs-lib shutdown";

  private DracutRootfs() {}

  /**
   * Enables {@code kairos-marker.service}: at multi-user it writes {@code marker} and then
   * {@code details} (shell words, expanded in the booted system) to {@code /dev/ttyS0} and powers
   * off. Also empties {@code /etc/machine-id}, so that every boot is a first boot.
   */
  public static void markerUnit(RootFs root, String marker, String details) throws IOException {
    markerUnit(root, marker, details, "ttyS0");
  }

  /** As {@link #markerUnit(RootFs, String, String)}, on serial port {@code tty} ({@code ttyAMA0} on arm64). */
  public static void markerUnit(RootFs root, String marker, String details, String tty) throws IOException {
    root.writeString(ImagePath.of("/etc/systemd/system/kairos-marker.service"), "[Unit]\n"
        + "Description=Boot test marker\n"
        + "[Service]\nType=oneshot\n"
        + "ExecStart=/bin/sh -c 'echo \"" + marker + " " + details + "\" > /dev/" + tty + "'\n"
        + "ExecStartPost=/bin/systemctl poweroff --no-block\n"
        + "[Install]\nWantedBy=multi-user.target\n");
    root.createDirectories(ImagePath.of("/etc/systemd/system/multi-user.target.wants"));
    root.createSymlink(ImagePath.of("/etc/systemd/system/multi-user.target.wants/kairos-marker.service"),
        "../kairos-marker.service");
    root.writeString(ImagePath.of("/etc/machine-id"), "");
  }

  /**
   * Runs dracut in the chroot of {@code root} for its (first) kernel, with {@link #BASE_MODULES}
   * plus {@code modules} and only the kernel {@code drivers} named (besides those the modules
   * pull in), gzip -1; writes {@code /boot/initrd.img-<kver>} and returns the kernel version.
   */
  public static String initrd(RootFs root, String modules, String drivers) throws IOException {
    String kver = root.list(ImagePath.of("/lib/modules")).get(0);
    Runners.chroot().run(root, Command.builder("dracut", "-q", "--no-hostonly", "--compress", "gzip -1",
        "-m", BASE_MODULES + " " + modules, "--drivers", drivers,
        "-f", "/boot/initrd.img-" + kver, kver).timeout(Duration.ofMinutes(5)).build()).requireSuccess();
    return kver;
  }
}
