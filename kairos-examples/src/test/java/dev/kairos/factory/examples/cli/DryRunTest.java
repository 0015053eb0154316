package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.io.OwnedDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code build --dry-run} on a real work directory writes nothing there, nor beside it. */
class DryRunTest {
  @TempDir Path tmp;

  @Test
  void aDryRunLeavesTheWorkDirectoryByteIdenticalAndStillPrintsThePlan() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src/etc"));
    Files.writeString(src.resolve("os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    // A previous build's work directory: its root, and a file of the user's.
    Path work = Files.createDirectories(tmp.resolve("work/rootfs/etc"));
    Files.writeString(work.resolve("os-release"), "ID=fedora\n");
    work = tmp.resolve("work");
    Files.writeString(work.resolve(OwnedDirectory.MARKER), "");
    Files.writeString(work.resolve("notes.txt"), "mine");
    List<String> before = WorkDirectoryTest.snapshot(tmp);
    CliRunner r = CliRunner.run("build", "--from", "dir:" + tmp.resolve("src"), "-v", "v1.0.0", "--dry-run",
        "--work", work.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"distro\"", "\"steps\"");
    assertThat(WorkDirectoryTest.snapshot(tmp)).isEqualTo(before);
  }

  @Test
  void anArm64DebootstrapPlanPrintsInSecondsAndBootstrapsNothing() throws Exception {
    List<String> before = WorkDirectoryTest.snapshot(tmp);
    long start = System.nanoTime();
    CliRunner r = CliRunner.run("build", "--from", "debootstrap:bookworm", "--arch", "arm64", "-v", "v1.0.0",
        "--dry-run", "--work", tmp.resolve("work").toString());
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Kairos build of debian 12 (debian, arm64, systemd)")
        .contains("kernel packages: linux-image-arm64").contains("grub-efi-arm64-bin")
        .contains("KAIROS_ARCH=arm64").doesNotContain("amd64");
    assertThat(ms).as("a plan, not a bootstrap").isLessThan(30_000);
    assertThat(WorkDirectoryTest.snapshot(tmp)).isEqualTo(before);
  }

  @Test
  void aDebootstrapSuiteWhoseReleaseIsUnknownCannotBePlanned() throws Exception {
    CliRunner r = CliRunner.run("build", "--from", "debootstrap:sid", "-v", "v1.0.0", "--dry-run",
        "--work", tmp.resolve("work").toString());
    assertThat(r.exit()).as(r.err()).isNotZero();
    assertThat(r.err()).contains("debootstrap:sid").contains("bookworm");
  }

  @Test
  void severalPlatformsNeedAPushAndOnePlatformCannotBeGivenTwice() throws Exception {
    String work = tmp.resolve("work").toString();
    CliRunner noPush = CliRunner.run("build", "--from", "debootstrap:bookworm", "--platform", "linux/amd64,linux/arm64",
        "-v", "v1.0.0", "--work", work);
    assertThat(noPush.exit()).isEqualTo(2);
    assertThat(noPush.err()).contains("several --platform values need --push REF");
    CliRunner withIso = CliRunner.run("build", "--from", "debootstrap:bookworm", "--platform", "linux/amd64,linux/arm64",
        "-v", "v1.0.0", "--push", "127.0.0.1:1/k/m:v1", "--iso", tmp.resolve("k.iso").toString(), "--work", work);
    assertThat(withIso.exit()).isEqualTo(2);
    assertThat(withIso.err()).contains("build only the pushed index");
    CliRunner both = CliRunner.run("build", "--from", "debootstrap:bookworm", "--platform", "linux/arm64", "--arch",
        "arm64", "-v", "v1.0.0", "--dry-run");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--arch and --platform");
    CliRunner bad = CliRunner.run("build", "--from", "debootstrap:bookworm", "--platform", "arm64", "-v", "v1.0.0",
        "--dry-run");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("linux/ARCH[/VARIANT]");
    CliRunner plan = CliRunner.run("build", "--from", "debootstrap:bookworm", "--platform", "linux/arm64", "-v",
        "v1.0.0", "--dry-run");
    assertThat(plan.exit()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("linux-image-arm64");
  }
}
