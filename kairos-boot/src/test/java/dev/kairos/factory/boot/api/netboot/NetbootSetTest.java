package dev.kairos.factory.boot.api.netboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NetbootSetTest {
  private static RootFs rootfs() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.writeString(ImagePath.of("/boot/vmlinuz-6.1.0-1-amd64"), "kernel");
    root.createSymlink(ImagePath.of("/boot/vmlinuz"), "vmlinuz-6.1.0-1-amd64");
    root.writeString(ImagePath.of("/boot/initrd.img-6.1.0-1-amd64"), "initrd");
    root.writeString(ImagePath.of("/etc/hostname"), "kairos\n");
    return root;
  }

  @Test
  void writesKernelInitrdSquashfsScriptAndCmdline() throws Exception {
    RootFs root = rootfs();
    Path out = root.root().getFileSystem().getPath("/out");
    NetbootSet.Files f = NetbootSet.builder(root).prefix("edge").baseUrl("http://10.0.2.2:8000/")
        .configUrl("http://10.0.2.2:8000/config.yaml").extraCmdline("install-mode").build().writeTo(out);

    assertThat(Files.readString(f.kernel())).isEqualTo("kernel");
    assertThat(Files.readString(f.initrd())).isEqualTo("initrd");
    assertThat(f.squashfs().getFileName().toString()).isEqualTo("edge.squashfs");
    assertThat(Files.readAllBytes(f.squashfs())).startsWith('h', 's', 'q', 's');
    assertThat(f.cmdline()).isEqualTo("rd.live.overlay.overlayfs rd.neednet=1 ip=dhcp rd.cos.disable"
        + " root=live:http://10.0.2.2:8000/edge.squashfs netboot nodepair.enable"
        + " config_url=http://10.0.2.2:8000/config.yaml console=tty1 console=ttyS0 console=tty0 install-mode");
    assertThat(Files.readString(f.cmdlineFile())).isEqualTo(f.cmdline() + "\n");
    assertThat(Files.readString(f.ipxeScript())).isEqualTo("#!ipxe\ndhcp\n"
        + "kernel http://10.0.2.2:8000/edge-kernel initrd=edge-initrd " + f.cmdline() + "\n"
        + "initrd http://10.0.2.2:8000/edge-initrd\nboot\n");
  }

  @Test
  void refusesBadValuesAndAMissingKernel() throws Exception {
    assertThatThrownBy(() -> NetbootSet.builder(rootfs()).baseUrl("ftp://x")).hasMessageContaining("ftp://x");
    assertThatThrownBy(() -> NetbootSet.builder(rootfs()).prefix("a b")).hasMessageContaining("'a b'");
    RootFs empty = InMemoryRootFs.create();
    empty.createDirectories(ImagePath.of("/boot"));
    assertThatThrownBy(() -> NetbootSet.builder(empty).build().writeTo(empty.root().getFileSystem().getPath("/o")))
        .hasMessageContaining("no kernel in /boot");
  }
}
