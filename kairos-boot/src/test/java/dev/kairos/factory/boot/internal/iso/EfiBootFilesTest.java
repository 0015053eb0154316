package dev.kairos.factory.boot.internal.iso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.internal.iso.SignedEfiLoader.Media;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.fs.RootFs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EfiBootFilesTest {
  @TempDir
  Path dir;

  private RootFs debianWithShim() throws Exception {
    for (String f : new String[] {"usr/lib/shim/shimx64.efi.signed", "usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed"}) {
      Files.createDirectories(dir.resolve(f).getParent());
      Files.writeString(dir.resolve(f), f);
    }
    return RootFs.at(dir);
  }

  private Path hostGrub() throws Exception {
    return Files.writeString(dir.resolve("host-grub.efi"), "host grub");
  }

  @Test
  void theImagesShimBootsFromTheFallbackPathAndTheConfigIsWhereItsGrubLooks() throws Exception {
    EfiBootFiles efi = EfiBootFiles.of(debianWithShim(), EfiLoader.AUTO, Media.DISK, "chain\n", () -> {
      throw new AssertionError("the host's GRUB is not wanted");
    });
    assertThat(efi.signed()).isTrue();
    assertThat(efi.files()).containsOnlyKeys("/EFI/BOOT/BOOTX64.EFI", "/EFI/BOOT/shimx64.efi", "/EFI/BOOT/grubx64.efi");
    assertThat(efi.files().get("/EFI/BOOT/BOOTX64.EFI")).hasContent("usr/lib/shim/shimx64.efi.signed");
    assertThat(efi.configs()).containsKeys("/EFI/BOOT/grub.cfg", "/boot/grub/grub.cfg", "/EFI/debian/grub.cfg",
        "/EFI/ubuntu/grub.cfg", "/EFI/fedora/grub.cfg");
    assertThat(efi.configs().values()).allSatisfy(c -> assertThat(c).asString().isEqualTo("chain\n"));
    assertThat(efi.size()).isEqualTo(2 * "usr/lib/shim/shimx64.efi.signed".length()
        + "usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed".length() + efi.configs().size() * 6L);
  }

  @Test
  void hostGrubIsUsedWhenAskedOrWhenTheImageHasNoShim() throws Exception {
    Path grub = hostGrub();
    EfiBootFiles asked = EfiBootFiles.of(debianWithShim(), EfiLoader.HOST_GRUB, Media.DISK, "chain\n", () -> grub);
    assertThat(asked.signed()).isFalse();
    assertThat(asked.files()).containsExactly(java.util.Map.entry("/EFI/BOOT/BOOTX64.EFI", grub));
    assertThat(asked.configs()).containsOnlyKeys("/EFI/BOOT/grub.cfg");

    RootFs bare = RootFs.at(Files.createDirectories(dir.resolve("bare")));
    EfiBootFiles live = EfiBootFiles.of(bare, EfiLoader.AUTO, Media.LIVE, "stub\n", () -> grub);
    assertThat(live.files()).containsOnlyKeys("/EFI/BOOT/BOOTX64.EFI");
    assertThat(live.configs()).containsOnlyKeys("/EFI/BOOT/grub.cfg", "/boot/grub/grub.cfg");

    assertThatThrownBy(() -> EfiBootFiles.of(bare, EfiLoader.IMAGE_SHIM, Media.DISK, "chain\n", () -> grub))
        .isInstanceOf(KairosException.class)
        .hasMessageContaining("no signed shim and GRUB in the image")
        .hasMessageContaining("/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed")
        .hasMessageNotContaining("gcdx64");
  }
}
