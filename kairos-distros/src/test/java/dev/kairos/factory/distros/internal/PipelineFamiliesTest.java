package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.RecordingRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.testing.ElfStub;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.core.testing.SyntheticFramework;
import dev.kairos.factory.core.api.BuildOptions;
import dev.kairos.factory.core.api.BuildPlan;
import dev.kairos.factory.core.api.InvalidOptionException;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.Phase;
import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.distro.Model;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Kairosification pipeline on one image of every family, with the real strategies and a
 * recording runner: the commands each family runs, in order, and the files the build writes.
 */
class PipelineFamiliesTest {
  static final String K = "6.6.1-1-test";

  /**
   * @param image the os-release test file
   * @param kernelImage the kernel file the family's kernel package puts in /boot
   * @param initTool the program that builds the initrd
   * @param manager the package manager program, "-" for none
   */
  @ParameterizedTest
  @CsvSource({
      "debian-12, vmlinuz-" + K + ", dracut, apt-get, debian, 12, /usr/bin/systemctl",
      "ubuntu-24.04, vmlinuz-" + K + ", dracut, apt-get, debian, 24.04, /usr/bin/systemctl",
      "fedora-42, vmlinuz-" + K + ", dracut, dnf, redhat, 42, /usr/bin/systemctl",
      "rocky-9, vmlinuz-" + K + ", dracut, dnf, redhat, 9.4, /usr/bin/systemctl",
      "opensuse-leap-15.6, vmlinuz-" + K + ", dracut, zypper, suse, leap-15.6, /usr/bin/systemctl",
      "alpine-3.21, vmlinuz-lts, mkinitfs, apk, alpine, 3.21, /sbin/openrc",
      "hadron, vmlinuz-" + K + ", dracut, -, hadron, '', /usr/bin/systemctl"})
  void everyFamily(String image, String kernelImage, String initTool, String manager, String family,
      String flavorRelease, String initBinary) throws Exception {
    RootFs root = TestImages.image(image);
    TestImages.file(root, initBinary);
    root.createDirectories(ImagePath.of("/lib/modules/" + K + "/kernel"));
    root.writeString(ImagePath.of("/boot/" + kernelImage), "kernel");
    root.writeString(ImagePath.of("/boot/initramfs-" + K + ".img"), "the distro's initrd");
    // the units the family enables, as its packages would install them
    var info = dev.kairos.factory.core.api.distro.Distros.detect(root, Strategies.all());
    for (var a : dev.kairos.factory.core.api.distro.Distros.strategy(info.family(), Strategies.all()).services(info, root)) {
      String unit = a.unit().contains(".") ? a.unit() : a.unit() + ".service";
      if (a.verb() == dev.kairos.factory.core.api.distro.ServiceAction.Verb.RC_ADD) {
        TestImages.file(root, "/etc/init.d/" + a.unit());
      } else if (a.verb() == dev.kairos.factory.core.api.distro.ServiceAction.Verb.ENABLE) {
        root.createDirectories(ImagePath.of("/usr/lib/systemd/system"));
        root.writeString(ImagePath.of("/usr/lib/systemd/system/" + unit), "[Install]\nWantedBy=multi-user.target\n");
      }
    }
    RootFs framework = InMemoryRootFs.create();
    SyntheticFramework.writeTo(framework);
    RecordingRunner runner = Runners.recording().whenProgram(initTool, (r, c) -> {
      r.writeString(ImagePath.of("/boot/initrd"), "built by " + initTool);
      return RecordingRunner.Reply.ok();
    });

    try (KairosBuild build = Kairos.fromRoot(root).distros(Strategies.all()).runner(runner)
        .arch(Architecture.AMD64).version("1.0").framework(FrameworkSource.directory(framework.root())).build()) {
      List<String> programs = new ArrayList<>();
      runner.argvs().forEach(a -> programs.add(a.get(0)));
      if (manager.equals("-")) {
        assertThat(programs).containsExactly("depmod", initTool);
      } else {
        // apt's lock listing (dpkg-query in a shell) runs before the first package manager command
        assertThat(programs.stream().filter(p -> !p.equals("/bin/sh")).toList()).startsWith(manager)
            .contains("depmod", initTool);
        List<List<String>> installs = runner.argvs().stream()
            .filter(a -> a.get(0).equals(manager) && (a.contains("install") || a.contains("add"))
                && !a.contains("--print-uris")).toList();
        assertThat(installs).as("base, then kernel").hasSizeGreaterThanOrEqualTo(2);
        assertThat(installs.get(installs.size() - 2)).contains("tar", "zstd", "rsync");
        assertThat(programs.indexOf("depmod")).isLessThan(programs.indexOf(initTool));
        if (manager.equals("apt-get")) {
          // the maintainer scripts find the install shims in /usr/local/sbin, which is gone again after
          assertThat(installs).allSatisfy(a -> assertThat(a).contains("DPkg::Path=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"));
          // no prefetch unless asked for (parallelDownloads): apt downloads the files itself
          assertThat(runner.argvs()).noneMatch(a -> a.contains("--print-uris"));
        }
      }
      assertThat(root.exists(ImagePath.of("/usr/local/sbin/update-ca-certificates"))).isFalse();
      assertThat(root.exists(ImagePath.of("/usr/local/sbin/.update-ca-certificates.state"))).isFalse();
      assertThat(runner.argvs()).contains(initTool.equals("dracut")
          ? List.of("dracut", "--reproducible", "--nohardlink", "--compress", "zstd -10 -q -T0", "-f", "/boot/initrd", K) : List.of("mkinitfs", "-o", "/boot/initrd", K));
      assertThat(root.readSymlink(ImagePath.of("/boot/vmlinuz"))).isEqualTo("/boot/" + kernelImage);
      assertThat(root.readString(ImagePath.of("/boot/initrd"))).isEqualTo("built by " + initTool);
      assertThat(root.exists(ImagePath.of("/boot/initramfs-" + K + ".img"))).isFalse();
      assertThat(build.kairosRelease()).containsEntry("KAIROS_FAMILY", family)
          .containsEntry("KAIROS_FLAVOR_RELEASE", flavorRelease).containsEntry("KAIROS_VERSION", "v1.0.0");
      assertThat(root.isRegularFile(ImagePath.of("/usr/bin/kairos-agent"))).isTrue();
      if (family.equals("alpine")) {
        assertThat(root.readString(ImagePath.of("/etc/mkinitfs/mkinitfs.conf"))).contains("immucore");
        assertThat(root.readString(ImagePath.of("/etc/update-grub.conf"))).isEqualTo("disable_trigger=1\n");
        assertThat(root.exists(ImagePath.of("/etc/dracut.conf.d"))).isFalse();
      } else {
        assertThat(root.readString(ImagePath.of("/etc/dracut.conf.d/99-immucore.conf"))).contains(" immucore ");
        assertThat(root.isRegularFile(ImagePath.of("/usr/lib/dracut/modules.d/28immucore/module-setup.sh"))).isTrue();
        assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/systemd-firstboot.service"))).isEqualTo("/dev/null");
        assertThat(root.list(ImagePath.of("/etc/systemd/system/multi-user.target.wants"))).isNotEmpty();
      }
    }
  }

  /** A Debian image with one kernel installed and the given machine's shell. */
  private static RootFs withKernel(String image, int machine) throws Exception {
    RootFs root = TestImages.image(image);
    TestImages.elf(root, "/usr/bin/dash", machine);
    TestImages.file(root, "/usr/bin/systemctl");
    root.createDirectories(ImagePath.of("/lib/modules/" + K + "/kernel"));
    root.writeString(ImagePath.of("/boot/vmlinuz-" + K), "kernel");
    return root;
  }

  @Test
  void anArm64ImageIsBuiltForArm64WithoutBeingTold() throws Exception {
    RootFs root = withKernel("debian-12", ElfStub.EM_AARCH64);
    Instant installed = Instant.parse("2026-03-14T09:26:53Z");
    root.createDirectories(ImagePath.of("/var/lib/dpkg"));
    root.writeString(ImagePath.of("/var/lib/dpkg/status"), "Package: base-files\n");
    root.setMtime(ImagePath.of("/var/lib/dpkg/status"), installed);
    RootFs framework = InMemoryRootFs.create();
    SyntheticFramework.writeTo(framework);
    RecordingRunner runner = Runners.recording();
    try (KairosBuild build = Kairos.fromRoot(root).distros(Strategies.all()).runner(runner).version("1.0")
        .skip(Step.SERVICES).framework(FrameworkSource.directory(framework.root())).build()) {
      assertThat(build.kairosRelease()).containsEntry("KAIROS_ARCH", "arm64").containsEntry("KAIROS_TARGETARCH", "arm64");
      assertThat(root.readString(ImagePath.of("/etc/kairos-release"))).contains("KAIROS_ARCH=\"arm64\"");
      assertThat(runner.argvs()).anySatisfy(a -> assertThat(a).contains("apt-get", "linux-image-arm64"))
          .noneSatisfy(a -> assertThat(a).contains("linux-image-amd64"));
      // The build's date is the base's, taken before apt ran: what useradd writes as the last password change.
      String env = System.getenv("SOURCE_DATE_EPOCH");
      long expected = env == null || env.isBlank() ? installed.getEpochSecond() : Long.parseLong(env.trim());
      assertThat(build.sourceDate().instant().getEpochSecond()).isEqualTo(expected);
      assertThat(runner.calls()).allSatisfy(c ->
          assertThat(c.command().env()).containsEntry("SOURCE_DATE_EPOCH", Long.toString(expected)));
    }
    // A board model for arm64 is fine on it; on an amd64 image it is refused, naming the model.
    assertThat(Kairos.fromRoot(root).distros(Strategies.all()).version("1").model(Model.RPI4).options().arch())
        .isEqualTo(Architecture.ARM64);
    assertThatThrownBy(() -> Kairos.fromRoot(withKernel("debian-12", ElfStub.EM_X86_64)).version("1").model(Model.RPI4).options())
        .isInstanceOfSatisfying(InvalidOptionException.class, e -> {
          assertThat(e.option()).isEqualTo(BuildOptions.Option.MODEL);
          assertThat(e.problem()).contains("target architecture is amd64 (the image's)");
        });
  }

  @Test
  void eachInstallsFilesAreFetchedBeforehandOnlyWhenParallelDownloadsAreAskedFor() throws Exception {
    String prefetch = "fetch the package files of the next install, 3 at a time";
    BuildPlan off = Kairos.fromRoot(withKernel("debian-12", ElfStub.EM_X86_64)).distros(Strategies.all())
        .runner(Runners.recording()).version("1").plan();
    assertThat(off.steps()).flatExtracting(BuildPlan.PlannedStep::actions).noneMatch(a -> a.startsWith("fetch the package"));
    BuildPlan on = Kairos.fromRoot(withKernel("debian-12", ElfStub.EM_X86_64)).distros(Strategies.all())
        .runner(Runners.recording()).version("1").parallelDownloads(3).plan();
    for (String step : List.of("installPackages", "installKernel")) {
      List<String> with = actions(on, step);
      List<String> without = new ArrayList<>(with);
      without.remove(prefetch);
      // one prefetch, right before the install, and nothing else changed
      assertThat(with).as(step).filteredOn(a -> a.startsWith("fetch the package")).containsExactly(prefetch);
      assertThat(with.get(with.indexOf(prefetch) + 1)).as(step).contains("apt-get").contains(" install ");
      assertThat(without).as(step).isEqualTo(actions(off, step));
    }
    assertThat(on.steps()).filteredOn(s -> !s.name().startsWith("install"))
        .flatExtracting(BuildPlan.PlannedStep::actions).noneMatch(a -> a.startsWith("fetch the package"));

    // run: apt lists what each install would download right before it, with the same arguments
    RootFs root = withKernel("debian-12", ElfStub.EM_X86_64);
    RecordingRunner runner = Runners.recording();
    Step[] others = java.util.Arrays.stream(Step.values())
        .filter(s -> !s.isPhase() && s != Step.INSTALL_PACKAGES && s != Step.INSTALL_KERNEL).toArray(Step[]::new);
    try (KairosBuild build = Kairos.fromRoot(root).distros(Strategies.all()).runner(runner).version("1")
        .skip(others).parallelDownloads(3).build()) {
      List<List<String>> installs = runner.argvs().stream()
          .filter(a -> a.get(0).equals("apt-get") && a.contains("install") && !a.contains("--print-uris")).toList();
      assertThat(installs).as("base, then kernel").hasSize(2);
      for (List<String> install : installs) {
        List<String> listing = new ArrayList<>(List.of("apt-get", "--print-uris", "-qq", "-o", "Acquire::ForceHash=SHA256"));
        listing.addAll(install.subList(1, install.size()));
        assertThat(runner.argvs().get(runner.argvs().indexOf(install) - 1)).isEqualTo(listing);
      }
      assertThat(runner.argvs()).filteredOn(a -> a.contains("--print-uris")).hasSize(2);
    }
  }

  private static List<String> actions(BuildPlan plan, String step) {
    return plan.steps().stream().filter(s -> s.name().equals(step)).findFirst().orElseThrow().actions();
  }

  @Test
  void fipsOnUbuntuIsRefusedOnlyWhenTheInstallPhaseInstallsPackages() throws Exception {
    RootFs root = withKernel("ubuntu-24.04", ElfStub.EM_X86_64);
    assertThatThrownBy(() -> Kairos.fromRoot(root).distros(Strategies.all()).runner(Runners.recording()).version("1")
        .fips(true).plan()).isInstanceOf(KairosException.class).hasMessageContaining("PRO account");
    BuildPlan skipped = Kairos.fromRoot(root).distros(Strategies.all()).runner(Runners.recording()).version("1")
        .fips(true).skip(Step.INSTALL_PACKAGES).plan();
    assertThat(skipped.kernelPackages()).isNotEmpty();
    assertThat(skipped.options().fips()).isTrue();
    BuildPlan init = Kairos.fromRoot(root).distros(Strategies.all()).runner(Runners.recording()).version("1")
        .fips(true).phase(Phase.INIT).plan();
    assertThat(init.steps()).extracting(BuildPlan.PlannedStep::name).contains("kairosRelease", "initrd");
  }
}
