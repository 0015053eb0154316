package dev.kairos.factory.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StepTest {
  @Test
  void namesAreKairosInitsSortedList() {
    assertThat(Step.sortedIds()).containsExactly("branding", "buildProvider", "cleanup", "cloudconfigs", "grub",
        "init", "initramfsConfigs", "initrd", "install", "installKernel", "installPackages", "kairosBinaries",
        "kairosRelease", "kernel", "miscellaneous", "providerBinaries", "services", "sshHardening", "workarounds");
  }

  @Test
  void stepsRunInTheRealOrder() {
    assertThat(Step.stepsOf(Phase.ALL)).extracting(Step::id).containsExactly("installPackages", "installKernel",
        "branding", "grub", "miscellaneous", "cloudconfigs", "kairosBinaries", "providerBinaries", "buildProvider",
        "kairosRelease", "kernel", "initramfsConfigs", "initrd", "services", "sshHardening", "workarounds", "cleanup");
    assertThat(Step.stepsOf(Phase.INIT)).first().isEqualTo(Step.KAIROS_RELEASE);
  }

  @Test
  void unknownNameListsValidOnes() {
    assertThatThrownBy(() -> Step.parseList("installKernel,kernels"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown step 'kernels'")
        .hasMessageContaining("valid steps: branding, buildProvider, cleanup");
    assertThatThrownBy(() -> Step.parse("kubernetes")).hasMessageContaining("was removed");
  }

  @Test
  void parsingIgnoresCaseAndPhaseNamesSkipTheirSteps() {
    assertThat(Step.parseList("INSTALLKERNEL, cleanup,")).containsExactly(Step.INSTALL_KERNEL, Step.CLEANUP);
    assertThat(Step.isSkipped(Step.GRUB, List.of(Step.INSTALL))).isTrue();
    assertThat(Step.isSkipped(Step.KERNEL, List.of(Step.INSTALL))).isFalse();
  }

  @Test
  void stepsInfoHasOneLinePerStep() {
    assertThat(Step.stepsInfo()).hasSize(19).first().asString().startsWith("\"branding\": ");
  }
}
