package dev.kairos.factory.boot.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.boot.api.initrd.Initrd;
import dev.kairos.factory.boot.api.initrd.InitrdCompression;
import dev.kairos.factory.boot.api.uki.Uki;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny initramfs tree for boot tests: the host's static busybox with its applet links, and an
 * {@code /init} that prints a marker and the kernel release to the console, then powers off.
 */
public final class BusyboxInitrd {
  /** Where Debian's busybox-static puts the binary. */
  public static final Path BUSYBOX = Path.of("/bin/busybox");
  /** The command line of {@link #uki}: its console on the first serial port, its own /init. */
  public static final String UKI_CMDLINE = "console=ttyS0 panic=-1 rdinit=/init";

  private BusyboxInitrd() {
  }

  /** The tree, in memory; {@code marker} is echoed followed by {@code uname -r}. */
  public static RootFs tree(String marker) throws IOException {
    return tree(marker, BUSYBOX);
  }

  /** As {@link #tree(String)}, with the static busybox {@code busybox} (e.g. an arm64 one). */
  public static RootFs tree(String marker, Path busybox) throws IOException {
    RootFs fs = InMemoryRootFs.create();
    fs.setMode(ImagePath.ROOT, 0755);
    fs.write(ImagePath.of("/bin/busybox"), Files.readAllBytes(busybox), 0755);
    for (String applet : new String[] {"sh", "echo", "mount", "uname", "cat", "poweroff", "sleep", "ls"}) {
      fs.createSymlink(ImagePath.of("/bin/" + applet), "busybox");
    }
    for (String d : new String[] {"/proc", "/sys", "/dev", "/tmp"}) {
      fs.createDirectories(ImagePath.of(d));
    }
    fs.createSpecial(ImagePath.of("/dev/console"),
        FileMetadata.builder(FileType.CHAR_DEVICE).mode(0600).device(5, 1).build());
    fs.createSpecial(ImagePath.of("/dev/null"),
        FileMetadata.builder(FileType.CHAR_DEVICE).mode(0666).device(1, 3).build());
    fs.write(ImagePath.of("/init"), ("#!/bin/sh\n"
        + "mount -t proc proc /proc\n"
        + "echo \"" + marker + " $(uname -r)\" > /dev/console\n"
        + "poweroff -f\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0755);
    fs.writeString(ImagePath.of("/etc/os-release"), "ID=kairos-test\nNAME=\"Kairos boot test\"\n");
    return fs;
  }

  /**
   * A UKI of Debian's kernel and this initrd (zstd) with {@link #UKI_CMDLINE},
   * written as {@code dir/uki.efi} (the initrd beside it); skips the test when QEMU, OVMF, busybox,
   * the systemd-boot stub or root is missing.
   */
  public static Path uki(Path dir, String marker) throws Exception {
    assumeTrue(QemuBoot.available(false), "qemu-system-x86_64 or OVMF missing");
    assumeTrue(Files.isRegularFile(BUSYBOX), "busybox-static missing");
    assumeTrue(Files.isRegularFile(Uki.DEBIAN_STUB), "systemd-boot-efi missing");
    Exec.assumeRoot();
    RootFs tree = tree(marker);
    Path initrd = dir.resolve("initrd.zst");
    Initrd.builder(tree).compression(InitrdCompression.ZSTD).level(3).build().writeTo(initrd);
    Path uki = dir.resolve("uki.efi");
    Uki.builder().kernel(DebianKernel.vmlinuz()).initrd(initrd).cmdline(UKI_CMDLINE)
        .osRelease(tree.readString(ImagePath.of("/etc/os-release"))).build().writeTo(uki);
    return uki;
  }
}
