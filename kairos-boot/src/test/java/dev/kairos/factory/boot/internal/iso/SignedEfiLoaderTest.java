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
import dev.kairos.factory.core.testing.ElfStub;
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
  void anArm64ImageGetsItsAa64PairAndNeverAnX64One() throws Exception {
    RootFs root = rootWith("/usr/lib/shim/shimaa64.efi.signed", "/usr/lib/grub/arm64-efi-signed/grubaa64.efi.signed",
        "/usr/lib/grub/arm64-efi-signed/gcdaa64.efi.signed", "/usr/lib/shim/shimx64.efi.signed",
        "/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed");
    ElfStub.write(root, ImagePath.of("/bin/sh"), ElfStub.EM_AARCH64);
    assertThat(SignedEfiLoader.find(root, Media.LIVE)).contains(new SignedEfiLoader(
        ImagePath.of("/usr/lib/shim/shimaa64.efi.signed"),
        ImagePath.of("/usr/lib/grub/arm64-efi-signed/gcdaa64.efi.signed"), "shimaa64.efi", "grubaa64.efi"));
    assertThat(SignedEfiLoader.find(root, Media.DISK)).get().extracting(l -> l.grub().toString())
        .isEqualTo("/usr/lib/grub/arm64-efi-signed/grubaa64.efi.signed");
    assertThat(SignedEfiLoader.searched(Media.DISK, EfiArch.AA64)).contains("/usr/share/efi/aarch64/shim.efi")
        .contains("/boot/efi/EFI/fedora/grubaa64.efi").contains("grub-efi-arm64-signed").doesNotContain("x64");

    Path x64Only = dir.resolve("x64-only");
    RootFs other = RootFs.at(Files.createDirectories(x64Only));
    ElfStub.write(other, ImagePath.of("/bin/sh"), ElfStub.EM_AARCH64);
    other.writeString(ImagePath.of("/usr/lib/shim/shimx64.efi.signed"), "x64");
    other.writeString(ImagePath.of("/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed"), "x64");
    assertThat(SignedEfiLoader.find(other, Media.DISK)).isEmpty();
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
