package dev.kairos.factory.boot.api.netboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.testing.ElfStub;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
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

  private static BuiltImage image(RootFs root) {
    return BuiltImage.of(root, SourceDate.of(Instant.EPOCH));
  }

  @Test
  void writesKernelInitrdSquashfsScriptCmdlineAndTheirListing() throws Exception {
    RootFs root = rootfs();
    Path out = root.root().getFileSystem().getPath("/out");
    NetbootSet set = NetbootSet.to(out).prefix("edge").baseUrl("http://10.0.2.2:8000/")
        .configUrl("http://10.0.2.2:8000/config.yaml").extraCmdline("install-mode");
    Artifact a = set.write(image(root), EventListener.NONE);
    NetbootSet.Files f = set.files();

    assertThat(Files.readString(f.kernel())).isEqualTo("kernel");
    assertThat(Files.readString(f.initrd())).isEqualTo("initrd");
    assertThat(f.squashfs().getFileName().toString()).isEqualTo("edge.squashfs");
    assertThat(Files.readAllBytes(f.squashfs())).startsWith('h', 's', 'q', 's');
    assertThat(set.cmdline()).isEqualTo("rd.live.overlay.overlayfs rd.neednet=1 ip=dhcp rd.cos.disable"
        + " root=live:http://10.0.2.2:8000/edge.squashfs netboot nodepair.enable"
        + " config_url=http://10.0.2.2:8000/config.yaml console=tty1 console=ttyS0 console=tty0 install-mode");
    assertThat(Files.readString(f.cmdlineFile())).isEqualTo(set.cmdline() + "\n");
    assertThat(Files.readString(f.ipxeScript())).isEqualTo("#!ipxe\ndhcp\n"
        + "kernel http://10.0.2.2:8000/edge-kernel initrd=edge-initrd " + set.cmdline() + "\n"
        + "initrd http://10.0.2.2:8000/edge-initrd\nboot\n");

    // The artifact: the five files' total size, the digest of their sha256sum listing; no temporaries left.
    long total = 0;
    for (Path p : f.all()) {
      total += Files.size(p);
    }
    assertThat(a.kind()).isEqualTo(ArtifactKind.NETBOOT);
    assertThat(a.size()).isEqualTo(total);
    Path listing = out.resolve("edge.sha256");
    assertThat(Files.readString(listing).lines()).hasSize(5)
        .contains(Artifact.sha256(f.kernel()).substring(7) + "  edge-kernel");
    assertThat(a.digest()).contains(Artifact.sha256(listing));
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
          "edge-kernel", "edge-initrd", "edge.squashfs", "edge.ipxe", "edge.cmdline", "edge.sha256");
    }
  }

  @Test
  void everyChangeIsACopyAndWritingTwiceGivesTheSameDigest() throws Exception {
    RootFs root = rootfs();
    Path out = root.root().getFileSystem().getPath("/out");
    NetbootSet plain = NetbootSet.to(out);
    NetbootSet changed = plain.prefix("other").baseUrl("http://10.0.0.1").extraCmdline("rd.debug");
    assertThat(plain.files().kernel().getFileName().toString()).isEqualTo("kairos-kernel");
    assertThat(plain.cmdline()).doesNotContain("rd.debug").contains("http://127.0.0.1:8090/kairos.squashfs");
    assertThat(changed.cmdline()).contains("rd.debug").contains("http://10.0.0.1/other.squashfs");

    Artifact first = plain.write(image(root), EventListener.NONE);
    Artifact second = plain.write(image(root), EventListener.NONE);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void anArm64ImageGetsTheArm64SerialConsoleUnlessOneIsGiven() throws Exception {
    RootFs root = rootfs();
    ElfStub.write(root, ImagePath.of("/bin/sh"), ElfStub.EM_AARCH64);
    Path out = root.root().getFileSystem().getPath("/out");
    NetbootSet set = NetbootSet.to(out);
    set.write(image(root), EventListener.NONE);
    String written = Files.readString(set.files().cmdlineFile()).strip();
    assertThat(written).isEqualTo(set.cmdline(Architecture.ARM64))
        .endsWith(" console=tty1 console=ttyAMA0 console=tty0").doesNotContain("ttyS0");
    assertThat(Files.readString(set.files().ipxeScript())).contains("initrd=kairos-initrd " + written + "\n");
    assertThat(set.cmdline()).as("amd64's, unchanged").endsWith(" console=tty1 console=ttyS0 console=tty0");

    NetbootSet own = set.console("console=ttyS2,115200");
    own.write(image(root), EventListener.NONE);
    assertThat(Files.readString(own.files().cmdlineFile())).contains(" console=ttyS2,115200\n").doesNotContain("ttyAMA0");
  }

  @Test
  void refusesBadValuesAndAMissingKernel() throws Exception {
    Path out = Path.of("/o");
    assertThatThrownBy(() -> NetbootSet.to(out).baseUrl("ftp://x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp://x");
    assertThatThrownBy(() -> NetbootSet.to(out).prefix("a b")).hasMessageContaining("'a b'");
    assertThatThrownBy(() -> NetbootSet.to(out).console("a\"b")).hasMessageContaining("cannot contain");
    RootFs empty = InMemoryRootFs.create();
    empty.createDirectories(ImagePath.of("/boot"));
    assertThatThrownBy(() -> NetbootSet.to(empty.root().getFileSystem().getPath("/o")).write(image(empty), EventListener.NONE))
        .hasMessageContaining("no kernel in /boot");
  }
}
