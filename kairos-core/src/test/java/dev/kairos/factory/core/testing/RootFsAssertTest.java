package dev.kairos.factory.core.testing;

import static dev.kairos.factory.core.testing.RootFsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RootFsAssertTest {
  private RootFs root;

  @BeforeEach
  void setUp() throws Exception {
    root = InMemoryRootFs.create();
    root.writeString(ImagePath.of("/etc/kairos-release"), "KAIROS_VERSION=v1.0.0\n");
    root.createDirectories(ImagePath.of("/usr/bin"));
    root.createSymlink(ImagePath.of("/bin"), "usr/bin");
    root.write(ImagePath.of("/usr/bin/sudo"), new byte[] {1, 2}, 04755);
    root.createHardlink(ImagePath.of("/usr/bin/sudoedit"), ImagePath.of("/usr/bin/sudo"));
    root.createDirectory(ImagePath.of("/var"), FileMetadata.builder(FileType.DIRECTORY).build());
    root.createDirectory(ImagePath.of("/var/mail"), FileMetadata.builder(FileType.DIRECTORY).mode(02775).gid(8).build());
    root.createDirectories(ImagePath.of("/dev"));
    root.createSpecial(ImagePath.of("/dev/console"), FileMetadata.builder(FileType.CHAR_DEVICE).mode(0600).device(5, 1).build());
    root.createSpecial(ImagePath.of("/dev/sda"), FileMetadata.builder(FileType.BLOCK_DEVICE).mode(0660).gid(6).device(8, 0).build());
    root.createSpecial(ImagePath.of("/dev/initctl"), FileMetadata.builder(FileType.FIFO).mode(0600).build());
    root.setXattr(ImagePath.of("/usr/bin/sudo"), "security.capability", new byte[] {9});
    root.setMtime(ImagePath.of("/etc/kairos-release"), Instant.ofEpochSecond(1_700_000_000));
  }

  @Test
  void passesOnWhatIsThere() {
    assertThat(root)
        .hasFile("/etc/kairos-release").withMode(0644).withOwner(0, 0).withContentContaining("KAIROS_VERSION=", "v1")
        .withContent("KAIROS_VERSION=v1.0.0\n").withSize(22).withMtime(Instant.ofEpochSecond(1_700_000_000))
        .and().hasSymlink("/bin", "usr/bin").withOwner(0, 0)
        .and().hasFile("/bin/sudo").withMode(04755).withContent(new byte[] {1, 2})
        .withXattr("security.capability", new byte[] {9})
        .and().hasHardlinks("/usr/bin/sudo", "/usr/bin/sudoedit")
        .hasDirectory("/var/mail").withMode(02775).withOwner(0, 8)
        .and().hasDirectory("/usr").withEntries("bin")
        .and().hasDirectory("/bin").containingEntries("sudo", "sudoedit")
        .and().hasCharDevice("/dev/console", 5, 1).withMode(0600)
        .and().hasBlockDevice("/dev/sda", 8, 0).withOwner(0, 6)
        .and().hasFifo("/dev/initctl")
        .and().doesNotExist("/usr/sbin/policy-rc.d")
        .doesNotExist("/etc/kairos-release/x");
  }

  @Test
  void failuresNameThePathAndShowWhatIsThereInOctal() {
    assertThatThrownBy(() -> assertThat(root).hasFile("/etc/kairos-release").withMode(0600))
        .isInstanceOf(AssertionError.class).hasMessageContaining("/etc/kairos-release")
        .hasMessageContaining("0600").hasMessageContaining("0644");
    assertThatThrownBy(() -> assertThat(root).hasFile("/etc/missing"))
        .hasMessageContaining("expected a regular at /etc/missing but nothing is there");
    assertThatThrownBy(() -> assertThat(root).hasFile("/var/mail"))
        .hasMessageContaining("/var/mail").hasMessageContaining("directory 2775 0:8");
    assertThatThrownBy(() -> assertThat(root).hasSymlink("/bin", "/usr/bin"))
        .hasMessageContaining("points to <usr/bin>");
    assertThatThrownBy(() -> assertThat(root).hasDirectory("/var/mail").withOwner(0, 0))
        .hasMessageContaining("owned by 0:8");
    assertThatThrownBy(() -> assertThat(root).hasFile("/etc/kairos-release").withContentContaining("v2"))
        .hasMessageContaining("<v2>");
    assertThatThrownBy(() -> assertThat(root).doesNotExist("/bin"))
        .hasMessageContaining("expected nothing at /bin but found symlink");
    assertThatThrownBy(() -> assertThat(root).hasCharDevice("/dev/console", 4, 1))
        .hasMessageContaining("device 4,1 but it is 5,1");
    assertThatThrownBy(() -> assertThat(root).hasFile("/usr/bin/sudo").withXattr("user.x", "y".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("user.x").hasMessageContaining("security.capability");
    assertThatThrownBy(() -> assertThat(root).hasHardlinks("/usr/bin/sudo", "/etc/kairos-release"))
        .hasMessageContaining("different files");
    assertThatThrownBy(() -> assertThat(root).hasDirectory("/usr").withEntries("bin", "lib"))
        .hasMessageContaining("[bin, lib]");
  }
}
