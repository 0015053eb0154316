package dev.kairos.factory.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.BuildPlan;
import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.ImageBuilder;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.Phase;
import dev.kairos.factory.core.api.Provider;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.Step;
import dev.kairos.factory.core.api.StepFailedException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.RecordingRunner;
import dev.kairos.factory.core.api.run.RecordingRunner.Reply;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.core.testing.SyntheticFramework;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PipelineTest {
  static final String K = "6.1.0-28-amd64";
  RootFs root;
  RootFs framework;
  RecordingRunner runner;
  List<KairosEvent> events = new ArrayList<>();

  /** A Debian 12 root, and a runner that does what apt-get and dracut would to it. */
  @BeforeEach
  void setUp() throws Exception {
    root = InMemoryRootFs.create();
    root.writeString(ImagePath.of("/etc/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
    root.writeString(ImagePath.of("/etc/machine-id"), "0123456789abcdef\n");
    root.writeString(ImagePath.of("/etc/hostname"), "builder\n");
    root.writeString(ImagePath.of("/etc/ssh/ssh_host_ed25519_key"), "secret");
    root.writeString(ImagePath.of("/etc/ssh/ssh_host_ed25519_key.pub"), "public");
    root.writeString(ImagePath.of("/etc/ssh/moduli"), "# comment\n20230101 2 6 100 1535 2 AB\n20230101 2 6 100 2047 5 CD\n"
        + "20230101 2 6 100 4095 2 EF\n");
    root.createDirectories(ImagePath.of("/var/lock"));
    framework = InMemoryRootFs.create();
    SyntheticFramework.writeTo(framework);
    runner = Runners.recording()
        .when(prefix("apt-get", "-y", "--no-install-recommends", "install", "linux-image-amd64"), (r, c) -> {
          r.createDirectories(ImagePath.of("/lib/modules/" + K + "/kernel"));
          r.writeString(ImagePath.of("/boot/vmlinuz-" + K), "kernel");
          r.writeString(ImagePath.of("/boot/initrd.img-" + K), "old initrd");
          return Reply.ok();
        })
        .when(prefix("apt-get", "-y", "--no-install-recommends", "install", "file"), (r, c) -> {
          r.writeString(ImagePath.of("/lib/systemd/system/ssh.service"), "[Unit]\nDescription=ssh\n[Install]\n"
              + "WantedBy=multi-user.target\nAlias=sshd.service\n");
          r.writeString(ImagePath.of("/lib/systemd/system/systemd-networkd.service"), "[Install]\n"
              + "WantedBy=multi-user.target\nAlso=systemd-networkd.socket\n");
          r.writeString(ImagePath.of("/lib/systemd/system/systemd-networkd.socket"), "[Install]\nWantedBy=sockets.target\n");
          r.writeString(ImagePath.of("/lib/systemd/system/getty.target"), "[Unit]\nDescription=Login Prompts\n");
          for (String bin : List.of("/usr/bin/sudo", "/usr/bin/less", "/usr/sbin/mount.nfs")) {
            r.write(ImagePath.of(bin), new byte[] {1}, 0755);
          }
          return Reply.ok();
        })
        .whenProgram("dracut", (r, c) -> {
          r.write(ImagePath.of(c.argv().get(c.argv().size() - 2)), newInitrd(), 0600);
          return Reply.ok();
        })
        .whenPrefix(List.of("/bin/sh", "-c"), Reply.ok("OpenSSH_9.2"));
  }

  /**
   * What the scripted dracut writes: a real newc archive (validate reads it in-process) holding the
   * binaries dracut's immucore module takes, the module validate looks for, and a marker.
   */
  static byte[] newInitrd() throws java.io.IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (var cpio = new org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream(bytes,
        org.apache.commons.compress.archivers.cpio.CpioConstants.FORMAT_NEW)) {
      for (String name : List.of("usr/bin/immucore", "usr/bin/kairos-agent", "new-initrd",
          "lib/modules/" + K + "/kernel/drivers/usb/host/xhci-pci-renesas.ko")) {
        var e = new org.apache.commons.compress.archivers.cpio.CpioArchiveEntry(
            org.apache.commons.compress.archivers.cpio.CpioConstants.FORMAT_NEW, name, 1);
        e.setMode(org.apache.commons.compress.archivers.cpio.CpioConstants.C_ISREG | 0755);
        e.setTime(0);
        cpio.putArchiveEntry(e);
        cpio.write('x');
        cpio.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  static java.util.function.Predicate<dev.kairos.factory.core.api.run.Command> prefix(String... argv) {
    return c -> c.argv().size() >= argv.length && c.argv().subList(0, argv.length).equals(List.of(argv));
  }

  ImageBuilder builder() {
    return Kairos.fromRoot(root).distros(List.of(new TestDistro())).runner(runner).arch(Architecture.AMD64)
        .onEvent(events::add).version("1.0").framework(FrameworkSource.directory(framework.root()));
  }

  @Test
  void aBuildWritesTargetsUntilItIsClosed() throws Exception {
    dev.kairos.factory.core.api.image.ArtifactTarget target = new dev.kairos.factory.core.api.image.ArtifactTarget() {
      @Override
      public String description() {
        return "release copy";
      }

      @Override
      public dev.kairos.factory.core.api.image.Artifact write(dev.kairos.factory.core.api.image.BuiltImage image,
          dev.kairos.factory.core.api.event.EventListener listener) {
        return new dev.kairos.factory.core.api.image.Artifact(dev.kairos.factory.core.api.image.ArtifactKind.ISO,
            image.kairosRelease().get("KAIROS_VERSION"), 0, java.util.Optional.empty());
      }
    };
    KairosBuild build = builder().build();
    assertThat(build.output(target).location()).isEqualTo(build.kairosRelease().get("KAIROS_VERSION"));
    build.close();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> build.output(target))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    org.assertj.core.api.Assertions.assertThatThrownBy(build::validate).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void fullBuildRunsEveryStepInOrderAndLeavesAKairosImage() throws Exception {
    try (KairosBuild build = builder().build()) {
      assertThat(events).filteredOn(e -> e instanceof KairosEvent.StepStarted)
          .extracting(e -> ((KairosEvent.StepStarted) e).step())
          .containsExactly("installPackages", "installKernel", "branding", "grub", "miscellaneous", "cloudconfigs",
              "kairosBinaries", "providerBinaries", "buildProvider", "kairosRelease", "kernel", "initramfsConfigs",
              "initrd", "services", "sshHardening", "workarounds", "cleanup");
      assertThat(runner.argvs()).containsExactly(
          List.of("apt-get", "-y", "update"), List.of("apt-get", "-y", "upgrade"),
          List.of("apt-get", "-y", "--no-install-recommends", "install", "file", "sudo", "systemd", "openssh-server", "grub2", "dracut"),
          List.of("apt-get", "-y", "update"), List.of("apt-get", "-y", "upgrade"),
          List.of("apt-get", "-y", "--no-install-recommends", "install", "linux-image-amd64"),
          List.of("depmod", "-a", K), List.of("dracut", "-f", "/boot/initrd", K),
          List.of("/bin/sh", "-c", "sshd -h 2>&1 | grep -oE 'OpenSSH_[0-9]+\\.[0-9]+' | head -n1"),
          List.of("apt-get", "clean"));
      assertThat(runner.calls().get(0).command().env()).containsEntry("DEBIAN_FRONTEND", "noninteractive");
      assertThat(runner.calls().get(5).command().env()).as("the kernel's own initrd hook is off")
          .containsEntry("INITRD", "No").containsEntry("DEBIAN_FRONTEND", "noninteractive");

      assertThat(root.readSymlink(ImagePath.of("/boot/vmlinuz"))).isEqualTo("/boot/vmlinuz-" + K);
      assertThat(root.readAllBytes(ImagePath.of("/boot/initrd"))).isEqualTo(newInitrd());
      assertThat(root.exists(ImagePath.of("/boot/initrd.img-" + K))).isFalse();
      assertThat(build.kairosRelease()).containsEntry("KAIROS_VERSION", "v1.0.0").containsEntry("KAIROS_FLAVOR", "debian")
          .containsEntry("KAIROS_FLAVOR_RELEASE", "12").containsEntry("KAIROS_VARIANT", "core").hasSize(17);
      assertThat(root.readString(ImagePath.of("/etc/kairos-release"))).contains("KAIROS_FLAVOR_RELEASE=12\n");
      for (String f : List.of("/etc/cos/grub.cfg", "/etc/cos/bootargs.cfg", "/etc/kairos/branding/grubmenu.cfg",
          "/etc/issue.d/01-KAIROS", "/etc/motd", "/etc/logrotate.d/kairos", "/etc/dracut.conf.d/99-immucore.conf",
          "/etc/dracut.conf.d/kairos-network.conf", "/usr/lib/dracut/modules.d/28immucore/module-setup.sh",
          "/etc/ssh/sshd_config.d/05-kairos-hardening.conf", SyntheticFramework.CLOUD_CONFIG)) {
        assertThat(root.isRegularFile(ImagePath.of(f))).as(f).isTrue();
      }
      assertThat(root.metadata(ImagePath.of("/usr/sbin/suc-upgrade")).mode()).isEqualTo(0755);
      assertThat(root.metadata(ImagePath.of("/usr/bin/kairos-agent")).mode()).isEqualTo(0755);
      assertThat(root.readString(ImagePath.of("/etc/dracut.conf.d/99-immucore.conf")))
          .contains("add_dracutmodules+=\" livenet dmsquash-live immucore network \"");
      assertThat(root.readString(ImagePath.of("/etc/dracut.conf.d/kairos-network.conf")))
          .isEqualTo("add_dracutmodules+=\" systemd-networkd network-legacy \"\n");
      // services enabled offline, from the units' [Install] sections
      assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/multi-user.target.wants/ssh.service")))
          .isEqualTo("/lib/systemd/system/ssh.service");
      assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/sshd.service"))).isEqualTo("/lib/systemd/system/ssh.service");
      assertThat(root.exists(ImagePath.of("/etc/systemd/system/sockets.target.wants/systemd-networkd.socket"))).isTrue();
      assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/systemd-firstboot.service"))).isEqualTo("/dev/null");
      // cleanup and workarounds
      assertThat(root.readString(ImagePath.of("/etc/machine-id"))).isEmpty();
      assertThat(root.readString(ImagePath.of("/etc/hostname"))).isEmpty();
      assertThat(root.list(ImagePath.of("/etc/ssh"))).doesNotContain("ssh_host_ed25519_key", "ssh_host_ed25519_key.pub");
      assertThat(root.readString(ImagePath.of("/etc/ssh/moduli"))).doesNotContain("1535").contains(" 2047 ").contains(" 4095 ");
      assertThat(root.metadata(ImagePath.of("/usr/bin/sudo")).mode()).isEqualTo(04755);
      assertThat(root.isDirectory(ImagePath.of("/snap"))).isTrue();
      assertThat(root.exists(ImagePath.of("/usr/sbin/policy-rc.d"))).isFalse();
      assertThat(build.validate().failures()).isEmpty();
    }
  }

  @Test
  void aBaseWithAFileOfItsOwnWhereTheInstallPutsATemporaryOneKeepsIt() throws Exception {
    ImagePath own = ImagePath.of("/usr/sbin/policy-rc.d");
    root.createDirectories(own.parent());
    root.write(own, "#!/bin/sh\n# the base's own\nexit 0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0700);
    try (KairosBuild build = builder().build()) {
      assertThat(runner.argvs()).isNotEmpty(); // packages were installed with ours in place
      assertThat(root.readString(own)).contains("the base's own");
      assertThat(root.metadata(own).mode() & 07777).isEqualTo(0700);
      assertThat(root.exists(Steps.KEPT.aside(own))).isFalse();
    }
  }

  @Test
  void installThenInitEqualsAllAndInitTakesTheRecordedOptions() throws Exception {
    java.time.Instant base = java.time.Instant.parse("2026-03-14T09:26:53Z");
    ImagePath status = ImagePath.of("/var/lib/dpkg/status");
    root.createDirectories(status.parent());
    root.writeString(status, "Package: base-files\n");
    root.setMtime(status, base);
    String env = System.getenv("SOURCE_DATE_EPOCH");
    long date = env == null || env.isBlank() ? base.getEpochSecond() : Long.parseLong(env.trim());
    try (KairosBuild install = builder().phase(Phase.INSTALL).fips(true).build()) {
      assertThat(install.sourceDate().instant().getEpochSecond()).isEqualTo(date);
    }
    assertThat(root.exists(ImagePath.of("/etc/kairos-release"))).isFalse();
    assertThat(root.readString(ImagePath.of("/etc/kairos/kairos-factory-install.env"))).contains("FIPS=\"true\"")
        .contains("SOURCE_DATE_EPOCH=" + date);
    root.setMtime(status, base.plusSeconds(86_400)); // what apt did to it in the install phase
    events.clear();
    try (KairosBuild init = builder().phase(Phase.INIT).build()) {
      assertThat(init.sourceDate().instant().getEpochSecond()).as("the install phase's date").isEqualTo(date);
    }
    assertThat(root.readString(ImagePath.of("/etc/kairos-release"))).contains("KAIROS_FIPS=\"true\"");
    assertThat(root.isRegularFile(ImagePath.of("/etc/dracut.conf.d/kairos-fips.conf"))).isTrue();
    assertThat(events).anySatisfy(e -> assertThat(e.toString()).contains("taking fips from the install phase"));
  }

  @Test
  void cleanupRemovesWhatDiffersBetweenTwoBuildsAndResetsIdentities() throws Exception {
    for (String log : List.of("/var/log/dpkg.log", "/var/log/apt/history.log", "/var/cache/ldconfig/aux-cache")) {
      root.writeString(ImagePath.of(log), "2026-12-04 07:11:05 startup archives install\n");
    }
    root.writeString(ImagePath.of("/var/log/apt/keep.log"), "not the package manager's\n");
    root.writeString(ImagePath.of("/etc/iscsi/initiatorname.iscsi"), "InitiatorName=iqn.1993-08.org.debian:01:476fa24a6e25\n");
    root.setMode(ImagePath.of("/etc/iscsi/initiatorname.iscsi"), 0600);
    root.delete(ImagePath.of("/etc/machine-id"));

    builder().build();

    for (String gone : List.of("/var/log/dpkg.log", "/var/log/apt/history.log", "/var/cache/ldconfig/aux-cache")) {
      assertThat(root.exists(ImagePath.of(gone))).as(gone).isFalse();
    }
    assertThat(root.exists(ImagePath.of("/var/log/apt/keep.log"))).isTrue();
    assertThat(root.readString(ImagePath.of("/etc/iscsi/initiatorname.iscsi"))).isEqualTo("GenerateName=yes\n");
    assertThat(root.metadata(ImagePath.of("/etc/iscsi/initiatorname.iscsi")).mode()).isEqualTo(0600);
    assertThat(root.exists(ImagePath.of("/etc/not-installed.id"))).as("only files the image has are reset").isFalse();
    // systemd images get an empty machine-id, not none: the first boot makes the id in place
    assertThat(root.isRegularFile(ImagePath.of("/etc/machine-id"))).isTrue();
    assertThat(root.readString(ImagePath.of("/etc/machine-id"))).isEmpty();
    assertThat(root.metadata(ImagePath.of("/etc/machine-id")).mode()).isEqualTo(0444);
  }

  @Test
  void everyCommandGetsTheSourceDate() throws Exception {
    builder().sourceDate(SourceDate.of(Instant.ofEpochSecond(1_700_000_000L))).build();
    assertThat(runner.calls()).hasSizeGreaterThan(5).allSatisfy(c ->
        assertThat(c.command().env()).as(c.command().toString()).containsEntry("SOURCE_DATE_EPOCH", "1700000000"));
  }

  @Test
  void skippedStepsDoNothingAndAreReported() throws Exception {
    root.createDirectories(ImagePath.of("/lib/modules/" + K));
    root.writeString(ImagePath.of("/boot/vmlinuz-" + K), "kernel");
    builder().skip(Step.INSTALL_KERNEL, Step.GRUB).skip("cleanup").build();
    assertThat(runner.argvs()).noneMatch(a -> a.contains("linux-image-amd64")).noneMatch(a -> a.contains("clean"));
    assertThat(root.exists(ImagePath.of("/etc/cos/grub.cfg"))).isFalse();
    assertThat(root.readString(ImagePath.of("/etc/machine-id"))).isNotEmpty();
    assertThat(events).filteredOn(e -> e instanceof KairosEvent.StepFinished f && f.skipped())
        .extracting(e -> ((KairosEvent.StepFinished) e).step()).containsExactly("installKernel", "grub", "cleanup");
  }

  @Test
  void withoutAKernelTheInitPhaseStopsBeforeAnyInitStep() throws Exception {
    assertThatThrownBy(() -> builder().skip(Step.INSTALL_KERNEL).build())
        .isInstanceOf(StepFailedException.class)
        .hasMessageContaining("step init failed: no kernel to boot")
        .hasMessageContaining("left as after step buildProvider");
    assertThat(root.exists(ImagePath.of("/etc/kairos-release"))).isFalse();
  }

  @Test
  void aFailingCommandNamesStepCommandExitCodeAndOutputAndTheStateLeft() throws Exception {
    runner.whenPrefix(List.of("apt-get", "-y", "--no-install-recommends", "install", "linux-image-amd64"),
        Reply.exit(100, "Reading package lists...", "E: Unable to locate package linux-image-amd64"));
    assertThatThrownBy(() -> builder().build())
        .isInstanceOfSatisfying(StepFailedException.class, e -> {
          assertThat(e.step()).isEqualTo("installKernel");
          assertThat(e.command()).get().satisfies(c -> {
            assertThat(c.exitCode()).isEqualTo(100);
            assertThat(c.command()).endsWith("linux-image-amd64");
            assertThat(c.outputTail()).contains("Unable to locate package");
          });
          assertThat(e.getMessage()).contains("left as after step installPackages");
        });
    assertThat(root.exists(ImagePath.of("/etc/kairos/branding"))).isFalse();
    assertThat(root.exists(ImagePath.of("/usr/sbin/policy-rc.d"))).as("blocker removed on failure").isFalse();
  }

  @Test
  void withoutFrameworkTheImageStillBootsWithPlainDracutAndSaysWhatIsMissing() throws Exception {
    Kairos.fromRoot(root).distros(List.of(new TestDistro())).runner(runner).arch(Architecture.AMD64)
        .onEvent(events::add).version("1.0").build();
    assertThat(root.readString(ImagePath.of("/etc/dracut.conf.d/99-immucore.conf")))
        .contains("add_dracutmodules+=\" livenet dmsquash-live network \"");
    assertThat(root.exists(ImagePath.of("/usr/lib/dracut/modules.d/28immucore"))).isFalse();
    assertThat(root.readAllBytes(ImagePath.of("/boot/initrd"))).isEqualTo(newInitrd());
    assertThat(events).anySatisfy(e -> assertThat(e.toString()).contains("no framework given").contains("no immucore"));
  }

  @Test
  void providerAddsItsBinariesConfigPluginLinkAndReleaseKeys() throws Exception {
    RootFs k3s = InMemoryRootFs.create();
    k3s.write(ImagePath.of("/usr/bin/k3s"), new byte[] {7}, 0755);
    java.nio.file.Path config = k3s.root().resolve("config.yaml");
    java.nio.file.Files.writeString(config, "write-kubeconfig-mode: \"0644\"\n");
    try (KairosBuild build = builder().provider(Provider.k3s("v1.31.1+k3s1")
        .from(FrameworkSource.directory(k3s.root())).withConfig(config)).build()) {
      assertThat(build.kairosRelease()).containsEntry("KAIROS_VARIANT", "standard")
          .containsEntry("KAIROS_SOFTWARE_VERSION", "v1.31.1+k3s1").containsEntry("KAIROS_SOFTWARE_VERSION_PREFIX", "k3s");
      assertThat(root.isRegularFile(ImagePath.of("/usr/bin/k3s"))).isTrue();
      assertThat(root.readString(ImagePath.of("/etc/rancher/k3s/config.yaml"))).contains("write-kubeconfig-mode");
      assertThat(root.readSymlink(ImagePath.of("/usr/bin/kairos"))).isEqualTo("/system/providers/agent-provider-kairos");
      assertThat(root.isRegularFile(ImagePath.of("/usr/bin/edgevpn"))).isTrue();
      assertThat(build.validate().failures()).isEmpty();
    }
    assertThatThrownBy(() -> builder().provider(Provider.k0s("v1.32.1+k0s.0")).build())
        .hasMessageContaining("needs its binaries");
  }

  @Test
  void planIsADryRunWithPackagesFilesAndCommands() throws Exception {
    BuildPlan plan = builder().trustedBoot(true).plan();
    assertThat(runner.calls()).isEmpty();
    assertThat(root.exists(ImagePath.of("/etc/kairos"))).isFalse();
    assertThat(plan.basePackages()).contains("systemd-boot").doesNotContain("grub2", "dracut");
    assertThat(plan.kernelPackages()).containsExactly("linux-image-amd64");
    assertThat(plan.step("grub").orElseThrow().files()).isEmpty();
    assertThat(plan.step("branding").orElseThrow().files()).hasSize(5);
    assertThat(plan.commands()).contains(List.of("apt-get", "-y", "--no-install-recommends", "install", "linux-image-amd64"));
    assertThat(plan.step("kernel").orElseThrow().actions().get(0)).contains("chosen from /lib/modules");
    assertThat(plan.toString()).contains("[install] installPackages").contains("[init] cleanup");
  }

  @Test
  void rerunningABuildIsFine() throws Exception {
    builder().provider(Provider.k3s("v1.31.1+k3s1").from(FrameworkSource.directory(framework.root()))).build();
    builder().provider(Provider.k3s("v1.31.1+k3s1").from(FrameworkSource.directory(framework.root()))).build();
    assertThat(root.stat(ImagePath.of("/usr/bin/kairos")).orElseThrow().type()).isEqualTo(FileType.SYMLINK);
    assertThat(root.readAllBytes(ImagePath.of("/boot/initrd"))).isEqualTo(newInitrd());
  }

  @Test
  void stageExtensionsRunInTheirSlotsInFileOrderAndBadFilesAreSkipped() throws Exception {
    java.nio.file.Path ext = framework.root().getFileSystem().getPath("/extensions");
    java.nio.file.Files.createDirectories(ext.resolve("sub"));
    java.nio.file.Files.writeString(ext.resolve("20-later.yaml"), "stages:\n  after-install:\n"
        + "    - files:\n        - path: /etc/ext-order\n          content: second\n          permissions: 0644\n");
    java.nio.file.Files.writeString(ext.resolve("10-first.yaml"), "stages:\n  after-install:\n"
        + "    - files:\n        - path: /etc/ext-order\n          content: first\n          permissions: 0644\n"
        + "        - path: /etc/ext-saw-oem\n          content: unused\n          permissions: 0644\n"
        + "      if: test -d /system/oem\n"
        + "  after-init:\n    - commands:\n        - echo after-init\n");
    java.nio.file.Files.writeString(ext.resolve("sub/30-broken.yaml"), "stages: [not, a, map\n");
    java.nio.file.Files.writeString(ext.resolve("notes.txt"), "ignored");
    runner.when(c -> String.join(" ", c.argv()).contains("test -d /system/oem"), (r, c) -> Reply.exit(1));
    builder().stageExtensions(ext).build();
    List<String> started = events.stream().filter(e -> e instanceof KairosEvent.StepStarted)
        .map(e -> ((KairosEvent.StepStarted) e).step()).filter(s -> !s.startsWith("/")).toList(); // not yip's own
    assertThat(started).containsSubsequence("miscellaneous", "extensions:after-install", "cloudconfigs");
    assertThat(started).endsWith("cleanup", "extensions:after-init");
    assertThat(root.readString(ImagePath.of("/etc/ext-order"))).isEqualTo("second");
    assertThat(runner.argvs()).anySatisfy(a -> assertThat(String.join(" ", a)).contains("echo after-init"));
    assertThat(events).anySatisfy(e -> assertThat(e.toString()).contains("skipping").contains("30-broken.yaml"));
  }

  @Test
  void stageExtensionsEnvironmentVariableNamesTheDirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path ext)
      throws Exception {
    java.nio.file.Files.writeString(ext.resolve("10.yaml"), "stages:\n  before-install:\n"
        + "    - files:\n        - path: /etc/from-env\n          content: yes\n          permissions: 0644\n");
    BuildPlan plan = builder().environment(java.util.Map.of("KAIROS_INIT_STAGE_EXTENSIONS_DIR", ext.toString()))
        .stageExtensions().plan();
    assertThat(plan.steps().get(0).name()).isEqualTo("extensions:before-install");
    assertThat(plan.steps().get(0).actions().get(0)).contains("1 before-install entries");
  }
}
