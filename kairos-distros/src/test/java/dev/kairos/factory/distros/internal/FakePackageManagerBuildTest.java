package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.RecordingRunner;
import dev.kairos.factory.core.api.validate.ValidationReport;
import dev.kairos.factory.core.testing.FakePackageManager;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.core.testing.SyntheticFramework;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A whole build in memory with the real strategies and nothing skipped: the fake package manager
 * leaves the units, binaries, kernel and initrd a real install leaves, so the services step finds
 * every unit it enables and the image validates.
 */
class FakePackageManagerBuildTest {
  @ParameterizedTest
  @CsvSource({
      "debian-12, fail2ban.service, linux-image-amd64",
      "ubuntu-24.04, ssh.service, linux-image-generic-hwe-24.04",
      "fedora-42, sshd.service, kernel",
      "opensuse-leap-15.6, sshd.service, kernel-default"})
  void wholeBuildInMemory(String image, String enabledUnit, String kernelPackage) throws Exception {
    RootFs root = TestImages.image(image);
    root.createDirectories(ImagePath.of("/var/lock")); // the base system's, not a package's
    RootFs framework = InMemoryRootFs.create();
    SyntheticFramework.writeTo(framework);
    RecordingRunner runner = FakePackageManager.runner();

    try (KairosBuild build = Kairos.fromRoot(root).distros(Strategies.all()).runner(runner).arch(Architecture.AMD64)
        .version("v1.0.0").framework(FrameworkSource.directory(framework.root())).build()) {
      assertThat(root.list(ImagePath.of("/etc/systemd/system/multi-user.target.wants"))).contains(enabledUnit);
      assertThat(FakePackageManager.installed(root)).contains(kernelPackage, "sudo");
      assertThat(root.readSymlink(ImagePath.of("/boot/vmlinuz"))).isEqualTo("/boot/vmlinuz-" + FakePackageManager.DEFAULT_KERNEL);
      ValidationReport report = build.validate();
      assertThat(report.failures()).isEmpty();
      assertThat(report.warnings()).noneMatch(w -> w.startsWith("[INITRD]"));
    }
    assertThat(runner.argvs()).anyMatch(a -> a.get(0).equals("dracut") || a.get(0).endsWith("/dracut"));
  }
}
