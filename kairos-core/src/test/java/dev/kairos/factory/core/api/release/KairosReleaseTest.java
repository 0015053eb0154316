package dev.kairos.factory.core.api.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.util.Map;
import dev.kairos.factory.core.api.BuildOptions;
import dev.kairos.factory.core.api.Provider;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.InitSystem;
import dev.kairos.factory.core.api.distro.OsRelease;
import org.junit.jupiter.api.Test;

class KairosReleaseTest {
  static DistroInfo distro(String id, String version, Family family, String pretty) {
    return DistroInfo.builder().distro(id).version(version).family(family).arch(Architecture.AMD64)
        .initSystem(InitSystem.SYSTEMD).osRelease(OsRelease.of("/etc/os-release", Map.of("ID", id, "PRETTY_NAME", pretty)))
        .build();
  }

  private static BuildOptions.Builder options() {
    return BuildOptions.builder().version("1.0.0").arch(Architecture.AMD64);
  }

  @Test
  void everyKeyForACoreUbuntu() {
    assertThat(KairosRelease.keys(distro("ubuntu", "24.04", Family.DEBIAN, "Ubuntu 24.04.1 LTS"), options().build(), "v0.1.0"))
        .containsExactly(
        Map.entry("KAIROS_ARCH", "amd64"),
        Map.entry("KAIROS_BUG_REPORT_URL", "https://github.com/kairos-io/kairos/issues"),
        Map.entry("KAIROS_FAMILY", "debian"),
        Map.entry("KAIROS_FIPS", "false"),
        Map.entry("KAIROS_FLAVOR", "ubuntu"),
        Map.entry("KAIROS_FLAVOR_RELEASE", "24.04"),
        Map.entry("KAIROS_HOME_URL", "https://github.com/kairos-io/kairos"),
        Map.entry("KAIROS_ID", "kairos"),
        Map.entry("KAIROS_ID_LIKE", "kairos-core-ubuntu-24.04"),
        Map.entry("KAIROS_INIT_VERSION", "v0.1.0"),
        Map.entry("KAIROS_MODEL", "generic"),
        Map.entry("KAIROS_NAME", "kairos-core-ubuntu-24.04"),
        Map.entry("KAIROS_RELEASE", "v1.0.0"),
        Map.entry("KAIROS_TARGETARCH", "amd64"),
        Map.entry("KAIROS_TRUSTED_BOOT", "false"),
        Map.entry("KAIROS_VARIANT", "core"),
        Map.entry("KAIROS_VERSION", "v1.0.0"));
  }

  @Test
  void providerMakesStandardAndAddsSoftwareKeys() {
    Map<String, String> k = KairosRelease.keys(distro("ubuntu", "22.04", Family.DEBIAN, "Ubuntu 22.04 LTS"),
        options().provider(Provider.k3s("v1.32.1+k3s1")).build(), "v0.1.0");
    assertThat(k).containsEntry("KAIROS_VARIANT", "standard")
        .containsEntry("KAIROS_NAME", "kairos-standard-ubuntu-22.04")
        .containsEntry("KAIROS_SOFTWARE_VERSION", "v1.32.1+k3s1")
        .containsEntry("KAIROS_SOFTWARE_VERSION_PREFIX", "k3s");
  }

  @Test
  void openSuseFlavorAndTargetArchitecture() {
    Map<String, String> k = KairosRelease.keys(distro("opensuse-leap", "15.6", Family.SUSE, "openSUSE Leap 15.6"),
        options().version("v2").arch(Architecture.ARM64).fips(true).trustedBoot(true).build(), "v0.1.0");
    assertThat(k).containsEntry("KAIROS_FLAVOR", "opensuse")
        .containsEntry("KAIROS_FLAVOR_RELEASE", "leap-15.6")
        .containsEntry("KAIROS_NAME", "kairos-core-opensuse-leap-15.6")
        .containsEntry("KAIROS_ARCH", "arm64")
        .containsEntry("KAIROS_VERSION", "v2.0.0")
        .containsEntry("KAIROS_FIPS", "true")
        .containsEntry("KAIROS_TRUSTED_BOOT", "true");
  }

  @Test
  void mergeKeepsOldKeysOverwritesNewOnesAndSorts() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.writeString(KairosRelease.PATH, "KAIROS_IMAGE_LABEL=\"old-label\"\nKAIROS_VERSION=\"v0.0.1\"\n");
    KairosRelease.merge(root, KairosRelease.keys(distro("debian", "12", Family.DEBIAN, "Debian GNU/Linux 12 (bookworm)"),
        options().version("v1.0").build(), "v0.1.0"));
    String text = root.readString(ImagePath.of("/etc/kairos-release"));
    assertThat(text).startsWith("KAIROS_ARCH=\"amd64\"\n")
        .contains("KAIROS_FLAVOR_RELEASE=12\n")
        .contains("KAIROS_IMAGE_LABEL=\"old-label\"\n")
        .endsWith("KAIROS_VERSION=\"v1.0.0\"\n");
    assertThat(root.metadata(KairosRelease.PATH).mode() & 07777).isEqualTo(0644);
    assertThat(KairosRelease.read(root)).containsEntry("KAIROS_IMAGE_LABEL", "old-label")
        .containsEntry("KAIROS_FLAVOR_RELEASE", "12").hasSize(18);
  }
}
