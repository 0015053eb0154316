package dev.kairos.factory.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.validate.ValidationReport;
import dev.kairos.factory.core.api.validate.Validator;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidatorTest {
  @Test
  void reportsEveryFailureAtOnce() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.writeString(ImagePath.of("/etc/os-release"), "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
    root.writeString(ImagePath.of("/etc/kairos-release"), "KAIROS_ID=\"kairos\"\nKAIROS_VERSION=\"\"\n");
    root.write(ImagePath.of("/usr/bin/sudo"), new byte[] {1}, 0644);
    root.writeString(ImagePath.of("/etc/ssh/ssh_host_rsa_key"), "k");
    root.createDirectories(ImagePath.of("/boot"));
    root.createSymlink(ImagePath.of("/boot/vmlinuz"), "vmlinuz-6.1.0-1-amd64");
    root.createDirectories(ImagePath.of("/lib/systemd/system"));
    root.createSymlink(ImagePath.of("/lib/systemd/system/getty.target"), "/dev/null");

    ValidationReport r = Validator.builder().distros(List.of(new TestDistro())).build().validate(root);
    assertThat(r.failures()).contains(
        "[BINARIES] could not find binary immucore",
        "[BINARIES] could not find binary kairos-agent",
        "[BINARIES] binary sudo is not executable",
        "[BINARIES] could not find binary mount.nfs",
        "[FILES] symlink /boot/vmlinuz points to a non-existent file vmlinuz-6.1.0-1-amd64",
        "[FILES] file missing /boot/initrd",
        "[RELEASE] key KAIROS_VERSION not found or empty in kairos-release",
        "[RELEASE] key KAIROS_FLAVOR not found or empty in kairos-release",
        "[DIRS] directory missing /var/lock",
        "[SSH] host key /etc/ssh/ssh_host_rsa_key must not be in the image",
        "[SERVICES] getty.target is masked on systemd-based system");
    assertThat(r.failures()).anySatisfy(f -> assertThat(f).startsWith("[KERNEL]"));
    assertThat(r.failures()).noneMatch(f -> f.contains("KAIROS_ID "));
    assertThatThrownBy(r::requireValid).isInstanceOf(KairosException.class).hasMessageContaining("[SSH]");
  }

  @Test
  void initrdContentIsReadInProcessWithoutARunner() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    root.createDirectories(ImagePath.of("/boot"));
    root.write(ImagePath.of("/boot/initrd-6.1.0"), xzCpio("usr/bin/kairos-agent", "lib/modules/x/xhci-pci-renesas.ko"), 0600);
    root.createSymlink(ImagePath.of("/boot/initrd"), "initrd-6.1.0");
    ValidationReport r = Validator.builder().distros(List.of(new TestDistro())).build().validate(root);
    assertThat(r.failures()).contains("[INITRD] immucore is not in /boot/initrd");
    assertThat(r.failures()).noneMatch(f -> f.contains("kairos-agent is not in"));
    assertThat(r.warnings()).noneMatch(w -> w.startsWith("[INITRD]"));

    root.writeString(ImagePath.of("/boot/initrd-6.1.0"), "not an initrd");
    assertThat(Validator.builder().distros(List.of(new TestDistro())).build().validate(root).failures())
        .anySatisfy(f -> assertThat(f).startsWith("[INITRD] /boot/initrd cannot be read:").contains("newc cpio"));
    ValidationReport trusted = Validator.builder().distros(List.of(new TestDistro())).trustedBoot(true)
        .build().validate(root);
    assertThat(trusted.failures()).noneMatch(f -> f.startsWith("[INITRD]") || f.contains("/boot/initrd"));
  }

  private static byte[] xzCpio(String... names) throws Exception {
    var bytes = new java.io.ByteArrayOutputStream();
    try (var xz = new org.apache.commons.compress.compressors.xz.XZCompressorOutputStream(bytes);
        var cpio = new org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream(xz)) {
      for (String n : names) {
        var e = new org.apache.commons.compress.archivers.cpio.CpioArchiveEntry(n, 1);
        e.setMode(0100644);
        cpio.putArchiveEntry(e);
        cpio.write('x');
        cpio.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
