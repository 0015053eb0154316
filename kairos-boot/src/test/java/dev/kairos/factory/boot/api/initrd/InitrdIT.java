package dev.kairos.factory.boot.api.initrd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.it.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** GNU cpio and the reference decompressors read what we write. */
class InitrdIT {
  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(InitrdCompression.class)
  void gnuCpioListsAndExtracts(InitrdCompression c) throws Exception {
    Exec.assumeTool("cpio");
    String cat = switch (c) {
      case NONE -> "cat";
      case GZIP -> "gzip -dc";
      case ZSTD -> "zstd -dc";
      case XZ -> "xz -dc";
      case LZ4 -> "lz4 -dc";
    };
    Exec.assumeTool(cat.split(" ")[0]);
    Path f = dir.resolve("initrd");
    Initrd.builder(InitrdTest.sample()).compression(c).exclude("/proc").build().writeTo(f);
    String list = Exec.sh(dir, cat + " initrd | cpio -itv --quiet --numeric-uid-gid").ok().output();
    assertThat(list).contains("bin/busybox", "bin/sh -> busybox", "dev/console", "etc/hostname")
        .contains("1000     100").doesNotContain("proc");
    Files.createDirectories(dir.resolve("x"));
    Exec.sh(dir.resolve("x"), cat + " ../initrd | cpio -idm --quiet --no-absolute-filenames").ok();
    assertThat(Files.readString(dir.resolve("x/bin/ash"))).isEqualTo("BB".repeat(5000));
    assertThat(Files.readString(dir.resolve("x/bin/busybox"))).isEqualTo("BB".repeat(5000));
    assertThat(Files.isSameFile(dir.resolve("x/bin/ash"), dir.resolve("x/bin/busybox"))).isTrue();
    assertThat(Files.readSymbolicLink(dir.resolve("x/bin/sh"))).isEqualTo(Path.of("busybox"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("x/etc/hostname"))))
        .isEqualTo("rw-r--r--");
  }
}
