package dev.kairos.factory.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.BuildPlan;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.core.testing.SyntheticFramework;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples' plans, on in-memory roots: what each would install and run. */
class ExamplesTest {
  @TempDir Path tmp;

  private static RootFs debian() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.createDirectories(ImagePath.of("/etc"));
    root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    return root;
  }

  @Test
  void rpi4PlanTakesTheRaspberryPiKernelOnArm64() throws Exception {
    BuildPlan plan = Rpi4Plan.plan(Rpi4Plan.ubuntuBase());
    assertThat(plan.options().model().id()).isEqualTo("rpi4");
    assertThat(plan.options().arch().id()).isEqualTo("arm64");
    assertThat(plan.kernelPackages()).contains("linux-raspi").doesNotContain("linux-image-generic-hwe-24.04");
  }

  @Test
  void stageExtensionAddsTheRepositoryBeforeInstallingAndPackagesAfter() throws Exception {
    Path dir = tmp.resolve("extensions");
    assertThat(StageExtensionRepo.writeExtension(dir)).hasFileName("10-backports.yaml");
    BuildPlan plan = StageExtensionRepo.plan(debian(), dir);
    assertThat(plan.options().stageExtensions()).isTrue();
    String text = plan.toString();
    assertThat(text).contains("backports");
    assertThat(text.indexOf("backports.list")).isLessThan(text.indexOf("installPackages"));
  }

  @Test
  void standardK3sImageIsTheStandardVariant() throws Exception {
    RootFs framework = RootFs.at(Files.createDirectories(tmp.resolve("framework")));
    SyntheticFramework.writeTo(framework);
    Path k3s = Files.createDirectories(tmp.resolve("k3s"));
    BuildPlan plan = StandardK3s.builder(debian(), framework.root(), k3s).plan();
    assertThat(plan.options().variant()).isEqualTo("standard");
    assertThat(plan.options().providers()).extracting(p -> p.name() + "@" + p.version())
        .containsExactly("k3s@v1.31.1+k3s1");
  }
}
