package dev.kairos.factory.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandResult;
import dev.kairos.factory.core.api.run.Runners;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The arm64 Debian 12 fixture, bootstrapped on this (amd64) machine under emulation, and the
 * sandbox runner running its programs through qemu-user: slow on a cold cache (about 6 minutes
 * for the bootstrap), so in the {@code slow} profile.
 */
@Tag("slow")
@Timeout(3600)
class DebianArm64FixtureIT {
  @Test
  void arm64MinbaseRunsUnderEmulation() throws Exception {
    DebianFixture.assumeArm64();
    long t0 = System.nanoTime();
    Path tarball = DebianFixture.arm64MinbaseTarball();
    long t1 = System.nanoTime();
    Path dir = Scratch.create("arm64-fixture-it");
    try {
      RootFs root = DebianFixture.extract(tarball, dir.resolve("root"));
      assertThat(Architecture.of(root)).contains(Architecture.ARM64);
      CommandResult r = Runners.chroot().run(root,
          Command.shell("uname -m; dpkg --print-architecture; . /etc/os-release; echo $VERSION_ID"));
      long t2 = System.nanoTime();
      assertThat(r.exitCode()).as(r.outputTail()).isZero();
      assertThat(r.outputTail().strip()).isEqualTo("aarch64\narm64\n12");
      System.out.printf("DebianFixture.arm64MinbaseTarball: %d s, extract + uname under emulation: %d ms%n",
          (t1 - t0) / 1_000_000_000L, (t2 - t1) / 1_000_000L);
    } finally {
      assertThat(Scratch.delete(dir)).as("mounts leaked below the test root").isEmpty();
    }
  }
}
