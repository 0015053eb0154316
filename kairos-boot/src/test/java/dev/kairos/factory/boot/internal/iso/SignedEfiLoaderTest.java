package dev.kairos.factory.boot.internal.iso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.boot.api.BootMediaOptions;
import dev.kairos.factory.boot.api.grub.EfiLoader;
import dev.kairos.factory.boot.api.iso.LiveIso;
import dev.kairos.factory.boot.internal.iso.SignedEfiLoader.Media;
import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignedEfiLoaderTest {
  @TempDir
  Path dir;

  private RootFs rootWith(String... files) throws Exception {
    for (String f : files) {
      Path p = dir.resolve(f.substring(1));
      Files.createDirectories(p.getParent());
      Files.writeString(p, f);
    }
    return RootFs.at(dir);
  }

  @Test
  void debianGetsItsDualSignedShimAndForLiveMediaTheCdGrubUnderTheNameShimLoads() throws Exception {
    RootFs root = rootWith("/usr/lib/shim/shimx64.efi.signed", "/usr/lib/shim/shimx64.efi.dualsigned",
        "/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed", "/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed");
    assertThat(SignedEfiLoader.find(root, Media.LIVE)).contains(new SignedEfiLoader(
        ImagePath.of("/usr/lib/shim/shimx64.efi.dualsigned"),
        ImagePath.of("/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed"), "shimx64.efi", "grubx64.efi"));
    assertThat(SignedEfiLoader.find(root, Media.DISK)).get().extracting(l -> l.grub().toString())
        .isEqualTo("/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed");
  }

  @Test
  void suseKeepsGrubEfiAndFedoraItsEspFiles() throws Exception {
    assertThat(SignedEfiLoader.find(rootWith("/usr/share/efi/x86_64/shim.efi", "/usr/share/efi/x86_64/grub.efi"), Media.DISK))
        .get().extracting(SignedEfiLoader::shimName, SignedEfiLoader::grubName)
        .containsExactly("shim.efi", "grub.efi");
    Path fedora = dir.resolve("fedora");
    Files.createDirectories(fedora.resolve("boot/efi/EFI/fedora"));
    Files.writeString(fedora.resolve("boot/efi/EFI/fedora/shimx64.efi"), "shim");
    Files.writeString(fedora.resolve("boot/efi/EFI/fedora/grubx64.efi"), "grub");
    assertThat(SignedEfiLoader.find(RootFs.at(fedora), Media.LIVE)).get()
        .extracting(l -> l.shim().toString(), SignedEfiLoader::grubName)
        .containsExactly("/boot/efi/EFI/fedora/shimx64.efi", "grubx64.efi");
  }

  @Test
  void withoutBothThereIsNoneAndImageShimFailsBeforeWritingAnything() throws Exception {
    RootFs root = rootWith("/usr/lib/shim/shimx64.efi.signed", "/boot/vmlinuz", "/boot/initrd");
    assertThat(SignedEfiLoader.find(root, Media.LIVE)).isEmpty();

    Path work = dir.resolve("work");
    Path iso = dir.resolve("out.iso");
    LiveIso live = LiveIso.to(iso).options(BootMediaOptions.builder().workDirectory(work).efiLoader(EfiLoader.IMAGE_SHIM).build());
    assertThatThrownBy(() -> live.write(BuiltImage.of(root, SourceDate.of(Instant.EPOCH)), EventListener.NONE)).isInstanceOf(KairosException.class)
        .hasMessageContaining(dir + ": no signed shim and GRUB in the image")
        .hasMessageContaining("/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed")
        .hasMessageContaining("shim-signed and grub-efi-amd64-signed");
    assertThat(work).doesNotExist();
    assertThat(iso).doesNotExist();
  }
}
