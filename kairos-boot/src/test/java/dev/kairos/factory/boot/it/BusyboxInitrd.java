package dev.kairos.factory.boot.it;

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

  private BusyboxInitrd() {
  }

  /** The tree, in memory; {@code marker} is echoed followed by {@code uname -r}. */
  public static RootFs tree(String marker) throws IOException {
    RootFs fs = InMemoryRootFs.create();
    fs.setMode(ImagePath.ROOT, 0755);
    fs.write(ImagePath.of("/bin/busybox"), Files.readAllBytes(BUSYBOX), 0755);
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
}
