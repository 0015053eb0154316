package dev.kairos.factory.distros.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.OsRelease;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BootstrapTest {
  @Test
  void buildsTheDebootstrapCommandLine() {
    Debootstrap d = Bootstrap.debootstrap("bookworm").variant("minbase").include("ca-certificates", "curl")
        .components("main", "non-free-firmware").timeout(Duration.ofMinutes(5));
    // As root the same tool as without root, so both give the same tree: only the mode differs.
    assertThat(d.command(Path.of("/work/root"))).containsExactly("mmdebstrap", "--mode=root", "--variant=minbase",
        "--arch=amd64", "--include=ca-certificates,curl", "--components=main,non-free-firmware", "bookworm",
        "/work/root", "http://deb.debian.org/debian");
    assertThat(d.command(Path.of("/work/root")).subList(2, 9))
        .isEqualTo(d.rootlessCommand(Path.of("/work/root")).subList(2, 9));
    assertThat(d.description()).isEqualTo("debootstrap:bookworm:http://deb.debian.org/debian");
    // fakechroot is debootstrap's own variant, as root only.
    assertThat(Bootstrap.debootstrap("bookworm").variant("fakechroot").command(Path.of("/r")))
        .containsExactly("debootstrap", "--variant=fakechroot", "--arch=amd64", "bookworm", "/r",
            "http://deb.debian.org/debian");
  }

  @Test
  void buildsTheRootlessCommandLineWithTheSameChoices() {
    Debootstrap d = Bootstrap.debootstrap("bookworm").variant("minbase").include("ca-certificates")
        .components("main", "non-free-firmware");
    assertThat(d.rootlessCommand(Path.of("/work/root"))).containsExactly("mmdebstrap", "--mode=unshare",
        "--variant=minbase", "--arch=amd64", "--include=ca-certificates", "--components=main,non-free-firmware",
        "bookworm", "/work/root", "http://deb.debian.org/debian");
    // debootstrap's default set is mmdebstrap's variant "debootstrap"; fakechroot has no rootless path.
    assertThat(Bootstrap.debootstrap("trixie").rootlessCommand(Path.of("/r"))).contains("--variant=debootstrap");
    assertThatThrownBy(() -> Bootstrap.debootstrap("bookworm").variant("fakechroot").rootlessCommand(Path.of("/r")))
        .hasMessageContaining("fakechroot").hasMessageContaining("minbase");
  }

  @Test
  void defaultMirrorsFollowTheDistroAndArchitecture() {
    assertThat(Bootstrap.debootstrap("noble").effectiveMirror()).isEqualTo("http://archive.ubuntu.com/ubuntu");
    assertThat(Bootstrap.debootstrap("noble").arch(Architecture.ARM64).effectiveMirror())
        .isEqualTo("http://ports.ubuntu.com/ubuntu-ports");
    assertThat(Bootstrap.debootstrap("trixie").mirror("http://127.0.0.1:3142/debian").command(Path.of("/r")))
        .containsExactly("mmdebstrap", "--mode=root", "--variant=debootstrap", "--arch=amd64", "trixie", "/r",
            "http://127.0.0.1:3142/debian");
  }

  @Test
  void validatesEagerly() {
    assertThatThrownBy(() -> Bootstrap.debootstrap("Bookworm")).hasMessageContaining("'Bookworm'");
    assertThatThrownBy(() -> Bootstrap.debootstrap("bookworm").variant("tiny")).hasMessageContaining("'tiny'");
    assertThatThrownBy(() -> Bootstrap.debootstrap("bookworm").mirror("ftp.example")).hasMessageContaining("'ftp.example'");
    assertThatThrownBy(() -> Bootstrap.debootstrap("bookworm").include("--no-check-gpg")).hasMessageContaining("'--no-check-gpg'");
    assertThatThrownBy(() -> Bootstrap.debootstrap("bookworm").timeout(Duration.ZERO)).hasMessageContaining("PT0S");
  }

  @Test
  void anArm64BaseSaysSoInItsCommandAndDescription() {
    Debootstrap d = Bootstrap.debootstrap("bookworm").arch(Architecture.ARM64);
    assertThat(d.arch()).isEqualTo(Architecture.ARM64);
    assertThat(d.command(Path.of("/r"))).contains("--arch=arm64");
    assertThat(d.description()).isEqualTo("debootstrap:bookworm:http://deb.debian.org/debian (arm64)");
  }

  @Test
  void aSketchHoldsTheReleaseTheSuiteWillHave() throws Exception {
    Path memory = InMemoryRootFs.create().root();
    OsRelease debian = OsRelease.read(Bootstrap.debootstrap("bookworm").sketch(memory.resolve("a")));
    assertThat(debian.id()).isEqualTo("debian");
    assertThat(debian.versionId()).isEqualTo("12");
    assertThat(debian.get("VERSION_CODENAME")).contains("bookworm");
    assertThat(debian.prettyName()).isEqualTo("Debian GNU/Linux 12 (bookworm)");
    OsRelease ubuntu = OsRelease.read(Bootstrap.debootstrap("noble").sketch(memory.resolve("b")));
    assertThat(ubuntu.id()).isEqualTo("ubuntu");
    assertThat(ubuntu.idLike()).containsExactly("debian");
    assertThat(ubuntu.versionId()).isEqualTo("24.04");
    assertThat(ubuntu.prettyName()).isEqualTo("Ubuntu 24.04 LTS");
    assertThatThrownBy(() -> Bootstrap.debootstrap("sid").sketch(memory.resolve("c")))
        .isInstanceOf(KairosException.class).hasMessageContaining("debootstrap:sid").hasMessageContaining("bookworm");
  }
}
