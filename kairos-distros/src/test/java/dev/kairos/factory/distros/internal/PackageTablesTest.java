package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.UnsupportedTargetException;
import dev.kairos.factory.core.api.distro.Architecture;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.distro.PackageSelection;
import dev.kairos.factory.core.api.distro.PackageSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The resolved examples of the kairos-init behaviour (§6.5), computed from our tables. */
class PackageTablesTest {
  private static PackageSet resolve(String distro, String version, Family family, Architecture arch, Model model,
      boolean trusted) throws Exception {
    PackageSelection sel = PackageSelection.builder(distro, version, family).arch(arch).model(model)
        .trustedBoot(trusted).build();
    return Distros.strategy(family, Strategies.all()).packages(sel);
  }

  private static PackageSet generic(String distro, String version, Family family, Architecture arch) throws Exception {
    return resolve(distro, version, family, arch, Model.GENERIC, false);
  }

  @Test
  void ubuntu2404Amd64() throws Exception {
    PackageSet s = generic("ubuntu", "24.04", Family.DEBIAN, Architecture.AMD64);
    assertThat(s.base()).hasSize(88).contains("systemd-resolved", "multipath-tools", "dracut", "dracut-live",
        "dracut-network", "isc-dhcp-client", "grub-efi-amd64-signed", "grub-pc-bin", "shim-signed", "packagekit-tools",
        "zfsutils-linux", "neovim").doesNotContain("packagekit", "systemd-cryptsetup", "systemd-boot");
    assertThat(s.common()).containsExactly("file", "gawk", "iptables", "less", "nano", "sudo", "tar", "zstd", "rsync",
        "lvm2", "jq", "dosfstools", "e2fsprogs", "logrotate");
    assertThat(s.kernel()).containsExactly("linux-image-generic-hwe-24.04");
    assertThat(s.all()).hasSize(89);
  }

  @Test
  void ubuntu2004Amd64() throws Exception {
    PackageSet s = generic("ubuntu", "20.04", Family.DEBIAN, Architecture.AMD64);
    assertThat(s.base()).hasSize(85).doesNotContain("multipath-tools", "dracut-live", "systemd-resolved");
    assertThat(s.kernel()).containsExactly("linux-image-generic-hwe-20.04");
  }

  @Test
  void ubuntu2604Arm64() throws Exception {
    PackageSet s = generic("ubuntu", "26.04", Family.DEBIAN, Architecture.ARM64);
    assertThat(s.base()).contains("packagekit", "systemd-cryptsetup", "grub-efi-arm64", "grub-efi-arm64-bin",
        "grub-efi-arm64-signed").doesNotContain("packagekit-tools", "grub-pc-bin");
    assertThat(s.kernel()).containsExactly("linux-image-generic");
  }

  @Test
  void ubuntu2310HasNoKernelAndNoResolved() throws Exception {
    PackageSet s = generic("ubuntu", "23.10", Family.DEBIAN, Architecture.AMD64);
    List<String> noble = generic("ubuntu", "24.04", Family.DEBIAN, Architecture.AMD64).base();
    assertThat(s.base()).containsExactlyInAnyOrderElementsOf(noble.stream().filter(p -> !p.equals("systemd-resolved")).toList());
    assertThat(s.kernel()).isEmpty();
    assertThat(generic("ubuntu", "25.10", Family.DEBIAN, Architecture.AMD64).kernel())
        .containsExactly("linux-image-generic-hwe-24.04");
  }

  @Test
  void ubuntu2404TrustedBoot() throws Exception {
    PackageSet s = resolve("ubuntu", "24.04", Family.DEBIAN, Architecture.AMD64, Model.GENERIC, true);
    assertThat(s.base()).hasSize(77).contains("systemd-boot", "kmod", "linux-base", "iucode-tool", "zfsutils-linux")
        .noneMatch(p -> p.startsWith("grub") || p.startsWith("shim") || p.startsWith("dracut") || p.startsWith("isc-dhcp"));
    assertThat(s.grub()).isEmpty();
    assertThat(s.immucore()).isEmpty();
    assertThat(s.kernel()).containsExactly("linux-image-generic-hwe-24.04", "linux-firmware");
    assertThat(resolve("ubuntu", "26.04", Family.DEBIAN, Architecture.AMD64, Model.GENERIC, true).kernel())
        .containsExactly("linux-image-generic-hwe-24.04", "linux-firmware");
  }

  @Test
  void debian12Amd64() throws Exception {
    PackageSet s = generic("debian", "12", Family.DEBIAN, Architecture.AMD64);
    assertThat(s.base()).hasSize(81).contains("polkitd", "multipath-tools-boot", "systemd-resolved", "dracut-live")
        .doesNotContain("systemd-cryptsetup");
    assertThat(s.kernel()).containsExactly("linux-image-amd64", "firmware-linux-free");
  }

  @Test
  void debian13Riscv64() throws Exception {
    PackageSet s = generic("debian", "13", Family.DEBIAN, Architecture.RISCV64);
    assertThat(s.base()).contains("grub-efi-riscv64", "grub-efi-riscv64-bin", "systemd-cryptsetup")
        .noneMatch(p -> p.startsWith("shim"));
    assertThat(s.kernel()).containsExactly("linux-image-riscv64", "firmware-linux-free");
    assertThat(resolve("debian", "13", Family.DEBIAN, Architecture.RISCV64, Model.GENERIC, true).kernel()).isEmpty();
  }

  @Test
  void rocky94Amd64() throws Exception {
    PackageSet s = generic("rocky", "9.4", Family.REDHAT, Architecture.AMD64);
    assertThat(s.base()).hasSize(44).contains("NetworkManager", "nmstate", "chrony", "systemd-resolved", "dhcp-client",
        "dracut-squash", "grub2-pc", "shim-x64");
    assertThat(s.kernel()).containsExactly("kernel", "kernel-modules", "kernel-modules-extra");
  }

  @Test
  void alma10HasNoDhcpClientAndRhel8NoResolved() throws Exception {
    PackageSet alma = generic("almalinux", "10.0", Family.REDHAT, Architecture.AMD64);
    List<String> rocky = generic("rocky", "9.4", Family.REDHAT, Architecture.AMD64).base();
    assertThat(alma.base()).containsExactlyInAnyOrderElementsOf(rocky.stream().filter(p -> !p.equals("dhcp-client")).toList());
    assertThat(alma.kernel()).containsExactly("kernel", "kernel-modules", "kernel-modules-extra");
    PackageSet rhel8 = generic("rhel", "8.10", Family.REDHAT, Architecture.AMD64);
    assertThat(rhel8.base()).doesNotContain("systemd-resolved").contains("dhcp-client");
  }

  @Test
  void fedora42Arm64AndOracleArm64() throws Exception {
    PackageSet f = generic("fedora", "42", Family.REDHAT, Architecture.ARM64);
    assertThat(f.base()).contains("fail2ban", "haveged", "shim-aa64", "grub2-efi-aa64", "grub2-efi-aa64-modules")
        .doesNotContain("grub2-pc", "shim-x64");
    assertThat(f.kernel()).containsExactly("kernel", "kernel-modules", "kernel-modules-extra");
    PackageSet ol = generic("ol", "9.4", Family.REDHAT, Architecture.ARM64);
    assertThat(ol.base()).doesNotContain("fail2ban");
    assertThat(ol.kernel()).containsExactly("kernel-uek", "kernel-uek-modules", "kernel-uek-modules-extra");
  }

  @Test
  void suse() throws Exception {
    PackageSet leap = generic("opensuse-leap", "15.6", Family.SUSE, Architecture.AMD64);
    assertThat(leap.base()).hasSize(57).contains("issue-generator", "systemd-networkd", "systemd-resolved",
        "kernel-firmware-all", "dracut", "squashfs", "dhcp-client");
    assertThat(leap.kernel()).containsExactly("kernel-default");
    PackageSet micro = generic("sle-micro-rancher", "5.4", Family.SUSE, Architecture.AMD64);
    assertThat(micro.base()).doesNotContain("systemd-networkd", "systemd-resolved", "issue-generator");
    assertThat(micro.kernel()).containsExactly("kernel-default");
    PackageSet tw = generic("opensuse-tumbleweed", "20250101", Family.SUSE, Architecture.ARM64);
    assertThat(tw.base()).contains("kernel-firmware-brcm", "kernel-firmware-iwlwifi", "grub2-arm64-efi", "systemd-networkd")
        .doesNotContain("issue-generator", "kernel-firmware-all");
    assertThat(tw.kernel()).containsExactly("kernel-default");
  }

  @Test
  void alpine321Amd64() throws Exception {
    PackageSet s = generic("alpine", "3.21", Family.ALPINE, Architecture.AMD64);
    assertThat(s.base()).hasSize(84).contains("openrc", "busybox-openrc", "eudev", "connman", "grub", "grub-efi", "grub-bios");
    assertThat(s.immucore()).isEmpty();
    assertThat(s.kernel()).containsExactly("linux-lts");
  }

  @Test
  void raspberryPiModels() throws Exception {
    PackageSet ubuntu = resolve("ubuntu", "22.04", Family.DEBIAN, Architecture.ARM64, Model.RPI4, false);
    assertThat(ubuntu.kernel()).containsExactly("linux-raspi", "linux-firmware-raspi", "linux-modules-extra-raspi");
    assertThat(ubuntu.base()).containsExactlyInAnyOrderElementsOf(generic("ubuntu", "22.04", Family.DEBIAN, Architecture.ARM64).base());
    assertThat(resolve("ubuntu", "20.04", Family.DEBIAN, Architecture.ARM64, Model.RPI3, false).kernel())
        .containsExactly("linux-raspi", "linux-firmware-raspi2");
    PackageSet debian = resolve("debian", "12", Family.DEBIAN, Architecture.ARM64, Model.RPI4, false);
    assertThat(debian.kernel()).containsExactly("linux-image-arm64", "firmware-linux-free", "raspi-firmware");
    assertThat(resolve("alpine", "3.21", Family.ALPINE, Architecture.ARM64, Model.RPI4, false).kernel())
        .containsExactly("linux-rpi");
    assertThat(resolve("opensuse-leap", "15.6", Family.SUSE, Architecture.ARM64, Model.RPI3, true).kernel())
        .startsWith("kernel-default", "raspberrypi-eeprom");
  }

  @Test
  void nvidiaModels() throws Exception {
    PackageSet thor = resolve("ubuntu", "24.04", Family.DEBIAN, Architecture.ARM64, Model.NVIDIA_JETSON_THOR, false);
    assertThat(thor.kernel()).contains("nvidia-l4t-bootloader", "nvidia-l4t-kernel-openrm").hasSize(23);
    assertThat(thor.base()).contains("bridge-utils", "fuse3");
    PackageSet dgx = resolve("ubuntu", "24.04", Family.DEBIAN, Architecture.ARM64, Model.NVIDIA_DGX_SPARK, false);
    assertThat(dgx.kernel()).isEmpty();
    assertThat(dgx.base()).contains("linux-image-nvidia-hwe-24.04", "nvidia-headless-580-open");
    assertThat(resolve("ubuntu", "22.04", Family.DEBIAN, Architecture.ARM64, Model.NVIDIA_JETSON_AGX_ORIN, false).kernel())
        .hasSize(53).contains("cuda-nvcc-12-6", "nvidia-l4t-xusb-firmware");
  }

  @Test
  void unsupportedModelOrArchitectureListsWhatWorks() {
    assertThatThrownBy(() -> resolve("fedora", "42", Family.REDHAT, Architecture.ARM64, Model.RPI4, false))
        .isInstanceOf(UnsupportedTargetException.class)
        .hasMessage("unsupported model 'rpi4 for fedora on arm64'; supported: generic");
    assertThatThrownBy(() -> resolve("ubuntu", "24.04", Family.DEBIAN, Architecture.AMD64, Model.RPI4, false))
        .hasMessage("unsupported model 'rpi4 for ubuntu on amd64'; supported: generic");
    assertThatCode(() -> resolve("ubuntu", "24.04", Family.DEBIAN, Architecture.ARM64, Model.RPI3, false))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> resolve("debian", "12", Family.DEBIAN, Architecture.ARM64, Model.NVIDIA_JETSON_THOR, false))
        .hasMessage("unsupported model 'nvidia-jetson-thor for debian on arm64'; supported: generic, rpi3, rpi4");
    assertThatThrownBy(() -> Architecture.parse("ppc64le"))
        .hasMessage("unsupported architecture 'ppc64le'; supported: amd64, arm64, riscv64");
  }

  @Test
  void fipsDoesNotChangeListsNotEvenOnUbuntu() throws Exception {
    PackageSelection fedora = PackageSelection.builder("fedora", "42", Family.REDHAT).fips(true).build();
    assertThat(Distros.strategy(Family.REDHAT, Strategies.all()).packages(fedora))
        .isEqualTo(generic("fedora", "42", Family.REDHAT, Architecture.AMD64));
    PackageSelection ubuntu = PackageSelection.builder("ubuntu", "24.04", Family.DEBIAN).fips(true).build();
    // Refusing FIPS on Ubuntu is the install step's business (only when it installs packages), as upstream.
    assertThat(Distros.strategy(Family.DEBIAN, Strategies.all()).packages(ubuntu))
        .isEqualTo(generic("ubuntu", "24.04", Family.DEBIAN, Architecture.AMD64));
  }

  @Test
  void hadronInstallsNothingAndUnparseableVersionsOnlyGetCommon() throws Exception {
    assertThat(generic("hadron", "", Family.HADRON, Architecture.AMD64).isEmpty()).isTrue();
    PackageSet arch = generic("arch", "", Family.ARCH, Architecture.AMD64);
    assertThat(arch.base()).isEqualTo(arch.common());
    assertThat(arch.kernel()).isEmpty();
  }
}
