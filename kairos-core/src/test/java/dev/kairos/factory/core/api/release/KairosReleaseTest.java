package dev.kairos.factory.core.api.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KairosReleaseTest {
  private static KairosRelease.Inputs ubuntu(Optional<Map.Entry<String, String>> software) {
    return new KairosRelease.Inputs("ubuntu", "24.04", "debian", "generic", "amd64",
        KairosVersion.parse("1.0.0"), false, false, "v0.1.0", software);
  }

  @Test
  void everyKeyForACoreUbuntu() {
    assertThat(KairosRelease.keys(ubuntu(Optional.empty()))).containsExactly(
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
    Map<String, String> k = KairosRelease.keys(ubuntu(Optional.of(Map.entry("k3s", "v1.32.1+k3s1"))));
    assertThat(k).containsEntry("KAIROS_VARIANT", "standard")
        .containsEntry("KAIROS_NAME", "kairos-standard-ubuntu-24.04")
        .containsEntry("KAIROS_SOFTWARE_VERSION", "v1.32.1+k3s1")
        .containsEntry("KAIROS_SOFTWARE_VERSION_PREFIX", "k3s");
  }

  @Test
  void openSuseFlavor() {
    Map<String, String> k = KairosRelease.keys(new KairosRelease.Inputs("opensuse-leap", "15.6", "suse", "generic",
        "arm64", KairosVersion.parse("v2"), true, true, "v0.1.0", Optional.empty()));
    assertThat(k).containsEntry("KAIROS_FLAVOR", "opensuse")
        .containsEntry("KAIROS_FLAVOR_RELEASE", "leap-15.6")
        .containsEntry("KAIROS_NAME", "kairos-core-opensuse-leap-15.6")
        .containsEntry("KAIROS_FIPS", "true")
        .containsEntry("KAIROS_TRUSTED_BOOT", "true");
  }

  @Test
  void mergeKeepsOldKeysOverwritesNewOnesAndSorts() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.writeString(KairosRelease.PATH, "KAIROS_IMAGE_LABEL=\"old-label\"\nKAIROS_VERSION=\"v0.0.1\"\n");
    KairosRelease.merge(root, KairosRelease.keys(new KairosRelease.Inputs("debian", "12", "debian", "generic",
        "amd64", KairosVersion.parse("v1.0"), false, false, "v0.1.0", Optional.empty())));
    String text = root.readString(ImagePath.of("/etc/kairos-release"));
    assertThat(text).startsWith("KAIROS_ARCH=\"amd64\"\n")
        .contains("KAIROS_FLAVOR_RELEASE=12\n")
        .contains("KAIROS_IMAGE_LABEL=\"old-label\"\n")
        .contains("KAIROS_VERSION=\"v1.0.0\"\n")
        .endsWith("KAIROS_VERSION=\"v1.0.0\"\n");
    assertThat(root.metadata(KairosRelease.PATH).mode() & 07777).isEqualTo(0644);
    assertThat(KairosRelease.read(root)).containsEntry("KAIROS_IMAGE_LABEL", "old-label").hasSize(18);
  }
}
