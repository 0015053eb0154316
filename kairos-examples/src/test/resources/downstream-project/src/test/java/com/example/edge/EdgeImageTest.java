package com.example.edge;

import static dev.kairos.factory.core.testing.RootFsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.run.RecordingRunner;
import dev.kairos.factory.core.testing.FakePackageManager;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.core.testing.SyntheticFramework;
import dev.kairos.factory.oci.api.OciTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A downstream project's test: its whole image built in memory with the fixtures (fake package
 * manager on a recording runner, synthetic framework), then an ISO and an OCI layout written.
 */
class EdgeImageTest {
  @TempDir
  Path out;

  @Test
  void buildsInMemoryAndWritesIsoAndOciLayout() throws Exception {
    RootFs root = InMemoryRootFs.create();   // a Debian 12 base, as far as the build looks at one
    root.createDirectories(ImagePath.of("/etc"));
    root.writeString(ImagePath.of("/etc/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n");
    root.createDirectories(ImagePath.of("/usr/bin"));
    root.write(ImagePath.of("/usr/bin/systemctl"), new byte[0], 0755);
    root.createDirectories(ImagePath.of("/var/lock"));
    RootFs framework = InMemoryRootFs.create();
    SyntheticFramework.writeTo(framework);
    RecordingRunner runner = FakePackageManager.runner();

    try (KairosBuild build = Kairos.fromRoot(root).arch(Architecture.AMD64).version("v1.0.0").runner(runner)
        .framework(FrameworkSource.directory(framework.root())).build()) {
      assertThat(build.validate().failures()).isEmpty();
      assertThat(build.rootFs()).hasSymlink("/etc/systemd/system/multi-user.target.wants/fail2ban.service");

      // One output model: every artifact is a target, and each answers with its size and digest.
      Artifact oci = build.output(OciTarget.layout(out.resolve("oci"), "v1.0.0"));
      Artifact iso = build.output(LiveIso.to(out.resolve("edge.iso")));
      assertThat(oci.size()).isPositive();
      assertThat(iso.size()).isEqualTo(Files.size(out.resolve("edge.iso")));
      assertThat(iso.digest()).isPresent();

      assertThat(out.resolve("oci/index.json")).isRegularFile();
      assertThat(out.resolve("oci/oci-layout")).isRegularFile();
    }
    byte[] iso = Files.readAllBytes(out.resolve("edge.iso"));
    assertThat(new String(iso, 0x8001, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("CD001");
    assertThat(runner.argvs()).anyMatch(a -> a.get(0).endsWith("apt-get") && a.contains("fail2ban"));
  }
}
