package dev.kairos.factory.core.api.distro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DistrosTest {
  /** A strategy that only answers the detection questions. */
  private record Fake(Family family, List<String> distroIds, Map<String, String> idLikeMarkers) implements DistroStrategy {
    @Override
    public DistroInfo describe(RootFs root, OsRelease os, String distroId) {
      return DistroInfo.builder().distro(distroId).version(os.versionId()).family(family)
          .arch(Architecture.AMD64).initSystem(InitSystem.SYSTEMD).osRelease(os).build();
    }

    @Override
    public PackageSet packages(PackageSelection s) {
      throw new UnsupportedOperationException();
    }

    @Override
    public PackageManager packageManager(DistroInfo i) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String chooseKernel(RootFs r, Model m) {
      throw new UnsupportedOperationException();
    }

    @Override
    public InitrdTool initrdTool() {
      return InitrdTool.DRACUT;
    }

    @Override
    public List<Command> initrdCommands(DistroInfo i, String k, ImagePath o) {
      return List.of();
    }

    @Override
    public List<ServiceAction> services(DistroInfo i, RootFs r) {
      return List.of();
    }

    @Override
    public DistroQuirks quirks(DistroInfo i, RootFs r) {
      throw new UnsupportedOperationException();
    }
  }

  private static final List<DistroStrategy> STRATEGIES = List.of(
      new Fake(Family.DEBIAN, List.of("debian", "ubuntu"), Map.of()),
      new Fake(Family.REDHAT, List.of("fedora", "rhel"), Map.of("redhat", "fedora")),
      new Fake(Family.SUSE, List.of("opensuse-leap", "sles"), Map.of("suse", "opensuse-leap")));

  private static DistroInfo detect(String osRelease) throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.createDirectories(ImagePath.of("/etc"));
    root.writeString(ImagePath.of("/etc/os-release"), osRelease);
    return Distros.detect(root, STRATEGIES);
  }

  @Test
  void idFirstThenIdLikeTokensInOrderThenMarkers() throws Exception {
    assertThat(detect("ID=ubuntu\nID_LIKE=\"rhel\"\n").distro()).isEqualTo("ubuntu");
    assertThat(detect("ID=centos\nID_LIKE=\"rhel fedora\"\n").distro()).isEqualTo("rhel");
    assertThat(detect("ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n").distro()).isEqualTo("ubuntu");
    assertThat(detect("ID=foo\nID_LIKE=\"redhat sles\"\n").distro()).isEqualTo("fedora");
    assertThat(detect("ID=foo\nID_LIKE=\"bar suse\"\n").family()).isEqualTo(Family.SUSE);
    assertThat(detect("ID=foo\nID_LIKE=\"suse debian\"\n").distro()).isEqualTo("opensuse-leap");
  }

  @Test
  void unknownDistroListsSupported() {
    assertThatThrownBy(() -> detect("ID=gentoo\nID_LIKE=\"funtoo\"\n"))
        .isInstanceOf(UnsupportedTargetException.class)
        .hasMessageContaining("gentoo")
        .hasMessageContaining("debian, ubuntu, fedora, rhel, opensuse-leap, sles");
    assertThatThrownBy(() -> detect("NAME=x\n")).hasMessageContaining("no ID");
  }

  @Test
  void ofIsTheUncheckedParseForStreams() {
    assertThat(java.util.stream.Stream.of("debian", "suse").map(Family::of)).containsExactly(Family.DEBIAN, Family.SUSE);
    assertThat(Architecture.of("x86_64")).isEqualTo(Architecture.AMD64);
    assertThat(Model.of("generic")).isEqualTo(Model.GENERIC);
    assertThatThrownBy(() -> Family.of("gentoo")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gentoo").hasCauseInstanceOf(dev.kairos.factory.core.api.UnsupportedTargetException.class);
    assertThatThrownBy(() -> Model.of("rpi9")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rpi9");
    assertThatThrownBy(() -> Architecture.of("sparc")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void strategyLookupListsFamilies() throws Exception {
    assertThat(Distros.strategy(Family.SUSE, STRATEGIES).distroIds()).contains("sles");
    assertThatThrownBy(() -> Distros.strategy(Family.ALPINE, STRATEGIES))
        .hasMessage("unsupported family 'alpine'; supported: debian, redhat, suse");
  }

  @Test
  void kairosReleaseFieldsFollowFlavorRules() throws Exception {
    DistroInfo leap = detect("ID=\"opensuse-leap\"\nVERSION_ID=\"15.6\"\n");
    assertThat(leap.kairosReleaseFields()).containsExactly(
        Map.entry("KAIROS_ARCH", "amd64"), Map.entry("KAIROS_FAMILY", "suse"),
        Map.entry("KAIROS_FLAVOR", "opensuse"), Map.entry("KAIROS_FLAVOR_RELEASE", "leap-15.6"),
        Map.entry("KAIROS_TARGETARCH", "amd64"));
    assertThat(detect("ID=debian\nVERSION_ID=\"12\"\n").flavorRelease()).isEqualTo("12");
  }

  @Test
  void enumsParseKairosSpellingsAndListValidOnes() throws Exception {
    assertThat(Model.parse("RPI4")).isEqualTo(Model.RPI4);
    assertThat(Model.parse("nvidia-jetson-agx-orin").supports(Architecture.AMD64)).isFalse();
    assertThatThrownBy(() -> Model.parse("rpi5")).hasMessage(
        "unsupported model 'rpi5'; supported: generic, rpi3, rpi4, nvidia-jetson-agx-orin, nvidia-jetson-orin-nx,"
            + " nvidia-jetson-thor, nvidia-dgx-spark");
    assertThat(Architecture.parse("aarch64")).isEqualTo(Architecture.ARM64);
    assertThat(Architecture.parse("x86_64").id()).isEqualTo("amd64");
    assertThatThrownBy(() -> Architecture.parse("s390x")).hasMessageContaining("amd64, arm64, riscv64");
    assertThat(Family.parse("redhat")).isEqualTo(Family.REDHAT);
  }

  @Test
  void packageSetUnionsWithoutDuplicates() {
    PackageSet set = new PackageSet(List.of("tar", "zstd"), List.of("curl", "tar"), List.of("grub2"),
        List.of("dracut"), List.of(), List.of("kernel", "curl"));
    assertThat(set.base()).containsExactly("tar", "zstd", "curl", "grub2", "dracut");
    assertThat(set.all()).containsExactly("tar", "zstd", "curl", "grub2", "dracut", "kernel");
  }
}
