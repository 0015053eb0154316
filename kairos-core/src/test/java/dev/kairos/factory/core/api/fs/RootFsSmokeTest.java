package dev.kairos.factory.core.api.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.UnsafePathException;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RootFsSmokeTest {
  @Test
  void writesReadsAndKeepsMetadataInMemory() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.writeString(ImagePath.of("/usr/bin/sudo"), "x");
    root.setMode(ImagePath.of("/usr/bin/sudo"), 04755);
    root.setOwner(ImagePath.of("/usr/bin/sudo"), 0, 27);
    root.createSymlink(ImagePath.of("/bin"), "usr/bin");
    root.createHardlink(ImagePath.of("/usr/bin/sudoedit"), ImagePath.of("/usr/bin/sudo"));
    root.createDirectories(ImagePath.of("/dev"));
    root.createSpecial(ImagePath.of("/dev/console"),
        FileMetadata.builder(FileType.CHAR_DEVICE).mode(0600).device(5, 1).build());

    assertThat(root.readString(ImagePath.of("/bin/sudo"))).isEqualTo("x");
    FileMetadata m = root.metadata(ImagePath.of("/usr/bin/sudoedit"));
    assertThat(m.mode()).isEqualTo(04755);
    assertThat(m.gid()).isEqualTo(27);
    FileMetadata dev = root.metadata(ImagePath.of("/dev/console"));
    assertThat(dev.type()).isEqualTo(FileType.CHAR_DEVICE);
    assertThat(dev.deviceMajor()).isEqualTo(5);

    List<String> seen = new ArrayList<>();
    root.walk(ImagePath.ROOT, e -> seen.add(e.path() + (e.hardlinkOf().isPresent() ? "=" + e.hardlinkOf().get() : "")));
    assertThat(seen).containsExactly("/", "/bin", "/dev", "/dev/console", "/usr", "/usr/bin",
        "/usr/bin/sudo", "/usr/bin/sudoedit=/usr/bin/sudo");
  }

  @Test
  void absoluteSymlinkToHostEtcStaysInside() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.createSymlink(ImagePath.of("/evil"), "/../../etc");
    root.writeString(ImagePath.of("/evil/passwd"), "contained");
    assertThat(root.readString(ImagePath.of("/etc/passwd"))).isEqualTo("contained");
    assertThat(root.realPath(ImagePath.of("/evil/passwd"), true)).isEqualTo(ImagePath.of("/etc/passwd"));
  }

  @Test
  void symlinkLoopIsRefusedWithThePath() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.createSymlink(ImagePath.of("/a"), "b");
    root.createSymlink(ImagePath.of("/b"), "a");
    assertThatThrownBy(() -> root.writeString(ImagePath.of("/a/x"), "y"))
        .isInstanceOf(UnsafePathException.class)
        .hasMessageContaining("/a/x");
  }
}
