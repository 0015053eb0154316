package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.lock.Lock;
import dev.kairos.factory.core.api.lock.LockedPackage;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostAptTest {
  @Test
  void readsTheInstallsAndRemovalsOfAnAptSimulation() {
    // as apt-get -s prints them (apt 2.6)
    HostApt.Resolution r = HostApt.Resolution.parse(List.of(
        "Reading package lists...",
        "Inst libc6 [2.36-9+deb12u4] (2.36-9+deb12u9 Debian:12.8/stable, Debian-Security:12/stable-security [amd64])",
        "Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all]) []",
        "Inst newdep (1.0 localhost [all])",
        "Inst libfoo:i386 (2.0 Debian:12/stable [i386])",
        "Remv oldpkg [3.1]",
        "Conf libc6 (2.36-9+deb12u9 Debian:12.8/stable [amd64])"), "amd64");
    assertThat(r.installed()).extracting(LockedPackage::toString).containsExactly(
        "libc6:amd64=2.36-9+deb12u9", "tzdata:all=2025b-0+deb12u1", "newdep:all=1.0", "libfoo:i386=2.0");
    assertThat(r.removed()).containsExactly("oldpkg:amd64");
  }

  @Test
  void writesOneSourcesLineAMirrorTrustingOnlyLocalOnesUnsigned() {
    assertThat(HostApt.sourcesLine("http://deb.debian.org/debian bookworm main contrib"))
        .isEqualTo("deb http://deb.debian.org/debian bookworm main contrib");
    assertThat(HostApt.sourcesLine("http://127.0.0.1:8080/repo")).isEqualTo("deb [trusted=yes] http://127.0.0.1:8080/repo ./");
    assertThat(HostApt.sourcesLine("file:/srv/repo stable main")).isEqualTo("deb [trusted=yes] file:/srv/repo stable main");
    assertThatThrownBy(() -> HostApt.sourcesLine("http://deb.debian.org/debian bookworm"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a component");
    assertThatThrownBy(() -> HostApt.checkMirror("ftp://x/ y z")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp://x/");
  }

  @Test
  void aBootstrappedBaseNamesItsMirror() {
    Lock.Builder b = Lock.builder().kairosVersion("v1").sourceDate(0);
    assertThat(HostApt.baseMirror(b.base("source", "debootstrap:bookworm:http://deb.debian.org/debian").build()))
        .contains("http://deb.debian.org/debian bookworm main");
    assertThat(HostApt.baseMirror(b.base("source", "dir:/srv/base").build())).isEmpty();
    // A lock of format 2 names the bootstrap's mirror, suite and components itself.
    Lock two = Lock.builder().kairosVersion("v1").sourceDate(0).base("source", "debootstrap:trixie:http://m/debian")
        .base("mirror", "http://m/debian").base("suite", "trixie").base("components", "main,contrib").build();
    assertThat(HostApt.baseMirror(two)).contains("http://m/debian trixie main contrib");
  }
}
