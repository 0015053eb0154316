package dev.kairos.factory.oci.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KairosArtifactNameTest {

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      opensuse | leap-15.5 | standard | amd64 | generic | v2.4.2 | k3s | v1.26.9+k3s1 | leap-15.5-standard-amd64-generic-v2.4.2-k3sv1.26.9-k3s1 | kairos-opensuse-leap-15.5-standard-amd64-generic-v2.4.2-k3sv1.26.9+k3s1
      ubuntu   | 24.04     | core     | amd64 | generic | v1.0.0 | -   | -            | 24.04-core-amd64-generic-v1.0.0                          | kairos-ubuntu-24.04-core-amd64-generic-v1.0.0
      debian   | 12        | core     | arm64 | rpi4    | v3.1.0 | -   | -            | 12-core-arm64-rpi4-v3.1.0                                | kairos-debian-12-core-arm64-rpi4-v3.1.0
      """)
  void namesLikeVersioneer(String flavor, String flavorRelease, String variant, String arch, String model,
      String version, String prefix, String software, String tag, String bootable) throws Exception {
    Map<String, String> keys = new java.util.HashMap<>(Map.of(
        "KAIROS_FLAVOR", flavor, "KAIROS_FLAVOR_RELEASE", flavorRelease, "KAIROS_VARIANT", variant,
        "KAIROS_TARGETARCH", arch, "KAIROS_MODEL", model, "KAIROS_RELEASE", version));
    if (software != null) {
      keys.put("KAIROS_SOFTWARE_VERSION", software);
      keys.put("KAIROS_SOFTWARE_VERSION_PREFIX", prefix);
    }
    KairosArtifactName n = KairosArtifactName.fromRelease(keys);
    assertThat(n.tag()).isEqualTo(tag);
    assertThat(n.bootableName()).isEqualTo(bootable);
    assertThat(n.container("quay.io/kairos").toString()).isEqualTo("quay.io/kairos/" + flavor + ":" + tag);
    assertThat(n.baseTag()).isEqualTo(flavorRelease + "-" + arch + "-" + model);
  }

  @Test
  void readsKairosReleaseWithOsReleaseFallbackFromRootFs() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.writeString(ImagePath.of("/etc/os-release"), "ID=ubuntu\nVERSION_ID=\"24.04\"\nMODEL=fromosrelease\n");
    root.writeString(ImagePath.of("/etc/kairos-release"), """
        KAIROS_ARCH="amd64"
        KAIROS_FAMILY="debian"
        KAIROS_FLAVOR="ubuntu"
        KAIROS_FLAVOR_RELEASE="24.04"
        KAIROS_MODEL="generic"
        KAIROS_RELEASE="v1.0.0"
        KAIROS_TARGETARCH="amd64"
        KAIROS_VARIANT="core"
        KAIROS_VERSION="v1.0.0"
        """);
    KairosArtifactName n = KairosArtifactName.from(root);
    assertThat(n.tag()).isEqualTo("24.04-core-amd64-generic-v1.0.0");
    assertThat(n.in("localhost:5000/me/os").toString()).isEqualTo("localhost:5000/me/os:24.04-core-amd64-generic-v1.0.0");
  }

  @Test
  void missingKeysAreNamed() {
    assertThatThrownBy(() -> KairosArtifactName.fromRelease(Map.of("KAIROS_FLAVOR", "ubuntu")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("KAIROS_FLAVOR_RELEASE");
    assertThatThrownBy(() -> KairosArtifactName.fromRelease(Map.of("KAIROS_FLAVOR", "u", "KAIROS_FLAVOR_RELEASE", "1",
        "KAIROS_VARIANT", "standard", "KAIROS_ARCH", "amd64", "KAIROS_MODEL", "generic", "KAIROS_RELEASE", "v1.0.0",
        "KAIROS_SOFTWARE_VERSION", "v1.31.1+k3s1")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("KAIROS_SOFTWARE_VERSION_PREFIX");
  }

  @Test
  void missingReleaseFileIsAClearError() {
    assertThatThrownBy(() -> KairosArtifactName.from(InMemoryRootFs.create()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("/etc/kairos-release");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      KAIROS_FLAVOR          | ../../../etc/cron.d  | '..'
      KAIROS_TARGETARCH      | amd64/../x           | '..'
      KAIROS_FLAVOR          | etc/cron.d           | '/'
      KAIROS_FLAVOR_RELEASE  | 12/..                | '..'
      KAIROS_VARIANT         | core..x              | '..'
      KAIROS_MODEL           | gen\\eric            | a backslash
      KAIROS_RELEASE         | v1 .0                | white space
      """)
  void valuesThatWouldMakeTheNameAPathAreRefused(String key, String value, String why) {
    Map<String, String> keys = new java.util.HashMap<>(Map.of("KAIROS_FLAVOR", "debian", "KAIROS_FLAVOR_RELEASE", "12",
        "KAIROS_VARIANT", "core", "KAIROS_TARGETARCH", "amd64", "KAIROS_MODEL", "generic", "KAIROS_RELEASE", "v1.0.0"));
    keys.put(key, value);
    assertThatThrownBy(() -> KairosArtifactName.fromRelease(keys)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(key).hasMessageContaining("cannot be part of an artifact name").hasMessageContaining(why);
  }

  @Test
  void controlCharactersAreRefusedAndNotEchoed() {
    assertThatThrownBy(() -> KairosArtifactName.fromRelease(Map.of("KAIROS_FLAVOR", "deb\033]0;x\007ian",
        "KAIROS_FLAVOR_RELEASE", "12", "KAIROS_VARIANT", "core", "KAIROS_TARGETARCH", "amd64", "KAIROS_MODEL", "generic",
        "KAIROS_RELEASE", "v1.0.0")))
        .hasMessageContaining("'deb\\x1b]0;x\\x07ian'").hasMessageContaining("control character");
  }
}
