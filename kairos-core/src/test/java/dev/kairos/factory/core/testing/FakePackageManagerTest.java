package dev.kairos.factory.core.testing;

import static dev.kairos.factory.core.testing.RootFsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.RecordingRunner;
import dev.kairos.factory.core.api.run.RecordingRunner.Reply;
import dev.kairos.factory.core.api.run.Runners;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.junit.jupiter.api.Test;

class FakePackageManagerTest {
  @Test
  void installLeavesUnitsBinariesAndKernelAndRemoveTakesTheMarkerBack() throws Exception {
    RootFs root = InMemoryRootFs.create();
    RecordingRunner runner = FakePackageManager.kernel("6.6.6-test").installOn(Runners.recording());

    run(runner, root, "apt-get", "-y", "--no-install-recommends", "install", "fail2ban", "openssh-server",
        "linux-image-amd64", "sudo");
    run(runner, root, "apt-get", "-y", "update");

    assertThat(FakePackageManager.installed(root)).containsExactly("fail2ban", "linux-image-amd64", "openssh-server", "sudo");
    assertThat(root).hasFile("/usr/lib/systemd/system/fail2ban.service").withContentContaining("WantedBy=multi-user.target");
    assertThat(root).hasFile("/usr/lib/systemd/system/ssh.service");
    assertThat(root).hasFile("/usr/bin/fail2ban-server").withMode(0755);
    assertThat(root).hasFile("/boot/vmlinuz-6.6.6-test");
    assertThat(root).hasDirectory("/lib/modules/6.6.6-test");

    run(runner, root, "dnf", "remove", "-y", "fail2ban");
    assertThat(FakePackageManager.installed(root)).doesNotContain("fail2ban");
    assertThat(runner.argvs()).hasSize(3);
  }

  @Test
  void dracutWritesARealCompressedArchiveOfTheImagesBinaries() throws Exception {
    RootFs root = InMemoryRootFs.create();
    SyntheticFramework.writeTo(root);
    RecordingRunner runner = FakePackageManager.runner();

    run(runner, root, "dracut", "--reproducible", "-f", "/boot/initrd", "6.1.0-1-fake");

    List<String> names = new ArrayList<>();
    try (CpioArchiveInputStream cpio = new CpioArchiveInputStream(new XZCompressorInputStream(
        new ByteArrayInputStream(root.readAllBytes(ImagePath.of("/boot/initrd")))))) {
      CpioArchiveEntry e;
      while ((e = cpio.getNextEntry()) != null) {
        names.add(e.getName());
      }
    }
    assertThat(names).contains("usr/bin/immucore", "usr/bin/kairos-agent",
        "lib/modules/6.1.0-1-fake/kernel/drivers/usb/host/xhci-pci-renesas.ko");
  }

  @Test
  void rulesAddedLaterStillWin() throws Exception {
    RootFs root = InMemoryRootFs.create();
    RecordingRunner runner = FakePackageManager.runner().whenProgram("apt-get", Reply.exit(100, "E: no network"));
    CommandResult r = runner.run(root, Command.of("apt-get", "install", "fail2ban"));
    assertThat(r.exitCode()).isEqualTo(100);
    assertThat(FakePackageManager.installed(root)).isEmpty();
  }

  @Test
  void badKernelVersionIsRefused() {
    assertThatThrownBy(() -> FakePackageManager.kernel("../x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'../x'");
  }

  private static void run(RecordingRunner runner, RootFs root, String... argv) throws Exception {
    runner.run(root, Command.of(argv)).requireSuccess();
  }
}
