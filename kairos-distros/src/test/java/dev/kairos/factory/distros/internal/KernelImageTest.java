package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.distro.KernelImage;
import dev.kairos.factory.core.api.distro.Model;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import org.junit.jupiter.api.Test;

/** The core's kernel lookup, with the real strategies behind it: the one kairos-init would boot. */
class KernelImageTest {
  private static KernelImage find(RootFs root) throws Exception {
    return KernelImage.find(root, Strategies.all(), Model.GENERIC);
  }

  @Test
  void withoutBootVmlinuzTheChooserPicksTheNewestKernel() throws Exception {
    RootFs root = TestImages.image("debian-12");
    for (String k : new String[] {"6.1.0-9-amd64", "6.1.0-28-amd64"}) {
      root.createDirectories(ImagePath.of("/lib/modules/" + k + "/kernel"));
      root.createDirectories(ImagePath.of("/boot"));
      root.writeString(ImagePath.of("/boot/vmlinuz-" + k), "kernel " + k);
    }
    KernelImage k = find(root);
    assertThat(k.path()).isEqualTo(ImagePath.of("/boot/vmlinuz-6.1.0-28-amd64"));
    assertThat(k.version()).contains("6.1.0-28-amd64");
    assertThat(k.description()).contains("kernel 6.1.0-28-amd64 (/boot/vmlinuz-6.1.0-28-amd64)", "/boot/vmlinuz does not exist");

    // Once the init phase has linked /boot/vmlinuz, that is the kernel, whatever else /boot holds.
    root.createSymlink(ImagePath.of("/boot/vmlinuz"), "vmlinuz-6.1.0-9-amd64");
    assertThat(find(root).path()).isEqualTo(ImagePath.of("/boot/vmlinuz-6.1.0-9-amd64"));
    assertThat(find(root).version()).isEmpty();
  }

  @Test
  void fedoraKeepsItsKernelBesideTheModules() throws Exception {
    RootFs root = TestImages.image("fedora-42");
    String k = "6.11.4-301.fc41.x86_64";
    root.createDirectories(ImagePath.of("/usr/lib/modules/" + k));
    root.writeString(ImagePath.of("/usr/lib/modules/" + k + "/vmlinuz"), "kernel");
    root.createSymlink(ImagePath.of("/lib"), "usr/lib");
    assertThat(find(root).path()).isEqualTo(ImagePath.of("/usr/lib/modules/" + k + "/vmlinuz"));
  }

  @Test
  void noKernelSaysWhatWasLookedFor() throws Exception {
    RootFs root = TestImages.image("debian-12");
    assertThatThrownBy(() -> find(root)).isInstanceOf(KairosException.class)
        .hasMessageContaining("/boot/vmlinuz does not exist").hasMessageContaining("/lib/modules");
    root.createDirectories(ImagePath.of("/lib/modules/6.1.0-28-amd64"));
    assertThatThrownBy(() -> find(root)).isInstanceOf(KairosException.class)
        .hasMessageContaining("kernel 6.1.0-28-amd64").hasMessageContaining("/boot/vmlinuz-6.1.0-28-amd64");
  }
}
