package dev.kairos.factory.core.internal.pipeline;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.DistroQuirks;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.InitSystem;
import dev.kairos.factory.core.api.distro.InitrdTool;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.distro.NetworkStack;
import dev.kairos.factory.core.api.distro.OsRelease;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.distro.PackageSelection;
import dev.kairos.factory.core.api.distro.PackageSet;
import dev.kairos.factory.core.api.distro.ServiceAction;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small Debian-like strategy for the core's pipeline tests (the real ones live in
 * kairos-distros, which the core cannot depend on; their family tests run the pipeline there).
 */
final class TestDistro implements DistroStrategy {
  private final boolean locking;

  /** Without locks. */
  TestDistro() {
    this(false);
  }

  /** With locks made by {@link TestLocking} when {@code locking}. */
  TestDistro(boolean locking) {
    this.locking = locking;
  }

  @Override
  public Family family() {
    return Family.DEBIAN;
  }

  @Override
  public List<String> distroIds() {
    return List.of("debian");
  }

  @Override
  public Map<String, String> idLikeMarkers() {
    return Map.of();
  }

  @Override
  public DistroInfo describe(RootFs root, OsRelease osRelease, String distroId) {
    return DistroInfo.builder().distro(distroId).version(osRelease.versionId()).family(Family.DEBIAN)
        .arch(Architecture.AMD64).initSystem(InitSystem.SYSTEMD).osRelease(osRelease).build();
  }

  @Override
  public PackageSet packages(PackageSelection s) {
    return new PackageSet(List.of("file", "sudo"), List.of("systemd", "openssh-server"),
        s.trustedBoot() ? List.of() : List.of("grub2"), s.trustedBoot() ? List.of() : List.of("dracut"),
        s.trustedBoot() ? List.of("systemd-boot") : List.of(), List.of("linux-image-amd64"));
  }

  @Override
  public PackageManager packageManager(DistroInfo info) {
    return new PackageManager() {
      @Override
      public String name() {
        return "apt-get";
      }

      @Override
      public Map<String, String> environment() {
        return Map.of("DEBIAN_FRONTEND", "noninteractive");
      }

      private Command cmd(List<String> argv) {
        return Command.builder(argv.toArray(String[]::new)).env(environment()).build();
      }

      @Override
      public Command refresh() {
        return cmd(List.of("apt-get", "-y", "update"));
      }

      @Override
      public Command upgrade() {
        return cmd(List.of("apt-get", "-y", "upgrade"));
      }

      @Override
      public Command install(List<String> packages) {
        List<String> a = new ArrayList<>(List.of("apt-get", "-y", "--no-install-recommends", "install"));
        a.addAll(packages);
        return cmd(a);
      }

      @Override
      public java.util.Optional<Command> listDownloads(Command command) {
        List<String> a = new ArrayList<>(List.of("apt-get", "--print-uris"));
        a.addAll(command.argv().subList(1, command.argv().size()));
        return java.util.Optional.of(cmd(a));
      }

      @Override
      public java.util.Optional<Resolution> resolve(List<String> packages) {
        List<String> a = new ArrayList<>(List.of("apt-get", "-s", "--no-install-recommends", "install"));
        a.addAll(packages);
        return java.util.Optional.of(new Resolution(cmd(List.of("apt-get", "-qq", "update")), cmd(a)));
      }

      @Override
      public java.util.Optional<Locking> locking() {
        return locking ? java.util.Optional.of(new TestLocking()) : java.util.Optional.empty();
      }

      @Override
      public Command remove(List<String> packages) {
        List<String> a = new ArrayList<>(List.of("apt-get", "-y", "remove"));
        a.addAll(packages);
        return cmd(a);
      }

      @Override
      public List<Command> clean() {
        return List.of(cmd(List.of("apt-get", "clean")));
      }

      @Override
      public List<ImagePath> logs() {
        return List.of(ImagePath.of("/var/log/dpkg.log"), ImagePath.of("/var/log/apt/history.log"));
      }

      @Override
      public List<Command> addRepositories(Model model) {
        return List.of();
      }

      @Override
      public List<TemporaryFile> serviceStartBlockers() {
        return List.of(new TemporaryFile(ImagePath.of("/usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 101\n", 0755));
      }
    };
  }

  @Override
  public List<FirstBootFile> firstBootFiles(DistroInfo info) {
    return List.of(new FirstBootFile(ImagePath.of("/etc/iscsi/initiatorname.iscsi"), "GenerateName=yes\n"),
        new FirstBootFile(ImagePath.of("/etc/not-installed.id"), "generate\n"));
  }

  @Override
  public String chooseKernel(RootFs root, Model model) throws IOException {
    ImagePath modules = ImagePath.of("/lib/modules");
    if (!root.isDirectory(modules) || root.list(modules).isEmpty()) {
      throw new KairosException("no kernel versions found in /lib/modules");
    }
    List<String> names = root.list(modules);
    return names.get(names.size() - 1);
  }

  @Override
  public InitrdTool initrdTool() {
    return InitrdTool.DRACUT;
  }

  @Override
  public List<Command> initrdCommands(DistroInfo info, String kernel, ImagePath output) {
    return List.of(Command.of("depmod", "-a", kernel), Command.of("dracut", "-f", output.toString(), kernel));
  }

  @Override
  public List<ServiceAction> services(DistroInfo info, RootFs root) {
    return List.of(ServiceAction.mask("systemd-firstboot.service"), ServiceAction.enable("ssh"),
        ServiceAction.enable("systemd-networkd"));
  }

  @Override
  public DistroQuirks quirks(DistroInfo info, RootFs root) {
    return new DistroQuirks("grub", NetworkStack.SYSTEMD_NETWORKD, List.of("systemd-networkd", "network-legacy"), true, false);
  }
}
