package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.io.OwnedDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build-iso and netboot write their files whole, under their final names only (needs the GRUB host tools). */
class BootImagesTest {
  @TempDir Path tmp;

  private Path root() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root/boot"));
    Files.writeString(Files.createDirectories(tmp.resolve("root/etc")).resolve("os-release"), "ID=debian\n");
    // Stand-ins: the verbs copy the kernel and the initrd, they do not run them.
    Files.write(root.resolve("vmlinuz"), new byte[4096]);
    Files.write(root.resolve("initrd"), new byte[2048]);
    return tmp.resolve("root");
  }

  @Test
  void buildIsoWritesTheIsoAndAChecksumNamingItAndNothingElse() throws Exception {
    Path iso = tmp.resolve("out/k.iso");
    Files.createDirectories(iso.getParent());
    Files.writeString(iso, "an older iso");
    CliRunner r = CliRunner.run("build-iso", "--root", root().toString(), "-o", iso.toString(), "--work",
        tmp.resolve("w").toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(ChildCli.names(iso.getParent())).containsExactly("k.iso", "k.iso.sha256");
    String sha = tools.jackson.databind.json.JsonMapper.builder().build().readTree(r.out()).get("digest").asString();
    assertThat(iso.resolveSibling("k.iso.sha256")).hasContent(sha.substring("sha256:".length()) + "  k.iso\n");
    assertThat(ChildCli.names(tmp.resolve("w"))).containsExactly(OwnedDirectory.MARKER);
  }

  @Test
  void netbootReplacesEachFileWholeAndLeavesNoScratch() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("nb"));
    Files.writeString(dir.resolve("kairos-kernel"), "an older kernel");
    Files.writeString(dir.resolve("README"), "mine");
    CliRunner r = CliRunner.run("netboot", "--root", root().toString(), "-o", dir.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(ChildCli.names(dir)).containsExactly("README", "kairos-initrd", "kairos-kernel", "kairos.cmdline",
        "kairos.ipxe", "kairos.sha256", "kairos.squashfs");
    assertThat(dir.resolve("kairos-kernel")).hasSize(4096);
    assertThat(dir.resolve("README")).hasContent("mine");
    assertThat(ChildCli.names(tmp)).doesNotContain(".nb.kairos-lock");
  }
}
