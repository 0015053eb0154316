package dev.kairos.factory.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.Model;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildOptionsTest {
  @Test
  void defaultsAndNormalisedVersion() {
    BuildOptions o = BuildOptions.builder().version("1.0").arch(Architecture.AMD64).build();
    assertThat(o.version()).hasToString("v1.0.0");
    assertThat(o.phase()).isEqualTo(Phase.ALL);
    assertThat(o.model()).isEqualTo(Model.GENERIC);
    assertThat(o.variant()).isEqualTo("core");
    assertThat(o.stageExtensions()).isFalse();
    assertThat(o.framework()).isEqualTo(FrameworkSource.none());
    assertThat(o.explicit()).containsExactlyInAnyOrder(BuildOptions.Option.VERSION, BuildOptions.Option.ARCH);
  }

  @Test
  void badValuesAreRefusedAtOnceWithTheValue() {
    assertThatThrownBy(() -> BuildOptions.builder().version("latest")).hasMessageContaining("'latest'");
    assertThatThrownBy(() -> BuildOptions.builder().skip("kernels")).hasMessageContaining("valid steps:");
    assertThatThrownBy(() -> BuildOptions.builder().arch(Architecture.AMD64).build()).hasMessageContaining("version is required");
    assertThatThrownBy(() -> BuildOptions.builder().version("1").model(Model.RPI4).arch(Architecture.AMD64).build())
        .hasMessageContaining("rpi4 requires arm64").hasMessageContaining("amd64");
    assertThatThrownBy(() -> BuildOptions.builder().version("1").fips(true).arch(Architecture.RISCV64).build())
        .hasMessageContaining("riscv64");
    assertThatThrownBy(() -> Provider.k3s("v1.31.1")).hasMessageContaining("'v1.31.1'").hasMessageContaining("+k3s1");
    assertThatThrownBy(() -> BuildOptions.builder().provider(Provider.k3s("")).provider(Provider.k3s("v1.31.1+k3s1")))
        .hasMessageContaining("twice");
  }

  @Test
  void combinationErrorsNameTheOptionAtFaultAndWhatTheFixNeeds() {
    assertThatThrownBy(() -> BuildOptions.builder().version("1").model(Model.RPI4).arch(Architecture.AMD64).build())
        .isInstanceOfSatisfying(InvalidOptionException.class, e -> {
          assertThat(e.option()).isEqualTo(BuildOptions.Option.MODEL);
          assertThat(e.needed()).isEqualTo("arm64");
          assertThat(e.problem()).isEqualTo("model rpi4 requires arm64 but the target architecture is amd64");
          assertThat(e.getMessage()).contains("arch(Architecture.ARM64)");
        });
    assertThatThrownBy(() -> BuildOptions.builder().version("1").fips(true).arch(Architecture.RISCV64).build())
        .isInstanceOfSatisfying(InvalidOptionException.class, e -> assertThat(e.option()).isEqualTo(BuildOptions.Option.FIPS));
    assertThatThrownBy(() -> BuildOptions.builder().arch(Architecture.AMD64).build())
        .isInstanceOfSatisfying(InvalidOptionException.class, e -> assertThat(e.option()).isEqualTo(BuildOptions.Option.VERSION));
  }

  @Test
  void providersMakeAStandardImage() {
    BuildOptions o = BuildOptions.builder().version("v1.0.0").arch(Architecture.ARM64).model(Model.RPI4)
        .provider(Provider.k0s("1.32.1+k0s.0")).build();
    assertThat(o.variant()).isEqualTo("standard");
    assertThat(o.providers().get(0).version()).isEqualTo("v1.32.1+k0s.0");
  }

  @Test
  void stageExtensionsDirectoryFromTheEnvironmentOrDefaultInImage() {
    BuildOptions fromEnv = BuildOptions.builder().version("1").arch(Architecture.AMD64)
        .environment(Map.of(BuildOptions.STAGE_EXTENSIONS_ENV, "/srv/ext")).stageExtensions().build();
    assertThat(fromEnv.stageExtensionsDir()).contains(Path.of("/srv/ext"));
    BuildOptions inImage = BuildOptions.builder().version("1").arch(Architecture.AMD64)
        .environment(Map.of()).stageExtensions().build();
    assertThat(inImage.stageExtensions()).isTrue();
    assertThat(inImage.stageExtensionsDir()).isEmpty();
  }

  @Test
  void skipsByNameAndByPhase() {
    BuildOptions o = BuildOptions.builder().version("1").arch(Architecture.AMD64).skip("init").skip(Step.GRUB).build();
    assertThat(o.isSkipped(Step.CLEANUP)).isTrue();
    assertThat(o.isSkipped(Step.GRUB)).isTrue();
    assertThat(o.isSkipped(Step.BRANDING)).isFalse();
    assertThat(o.toBuilder().build().skipped()).isEqualTo(o.skipped());
  }
}
