package dev.kairos.factory.core.api.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@link RootFsContract} in memory: every Unix field comes from the metadata overlay. */
class RootFsJimfsTest extends RootFsContract {
  @Override
  protected Path newBase() throws IOException {
    Path inMemoryRoot = InMemoryRootFs.create().root();
    return Files.createDirectory(inMemoryRoot.resolveSibling("base"));
  }

  @Test
  void keepsOwnershipInTheOverlay() {
    assertThat(root.hasNativeOwnership()).isFalse();
  }

  private static List<String> listing(RootFs r) throws IOException {
    List<String> out = new ArrayList<>();
    r.walk(ImagePath.ROOT, e -> out.add(e.toString()));
    return out;
  }

  @Test
  void theOverlaySurvivesASaveAndALoadByAnotherInstance() throws Exception {
    root.write(p("/usr/bin/sudo"), new byte[] {1}, 04755);
    root.setOwner(p("/usr/bin/sudo"), 0, 27);
    root.setXattr(p("/usr/bin/sudo"), "security.capability", new byte[] {1, 0, 0, 2});
    root.createHardlink(p("/usr/bin/sudoedit"), p("/usr/bin/sudo"));
    root.createDirectory(p("/var"), meta(FileType.DIRECTORY).build());
    root.createDirectory(p("/var/mail"), meta(FileType.DIRECTORY).mode(02775).gid(8).build());
    root.createDirectories(p("/dev"));
    root.createSpecial(p("/dev/console"), meta(FileType.CHAR_DEVICE).mode(0600).device(5, 1).build());
    root.createSpecial(p("/dev/initctl"), meta(FileType.FIFO).mode(0600).build());
    root.createSymlink(p("/home"), "var/home");
    root.setOwner(p("/home"), 7, 8);
    root.writeString(p("/odd name ü%=.txt"), "x");
    root.setOwner(p("/odd name ü%=.txt"), 1000, 1000);
    List<String> before = listing(root);
    Path file = base.getFileSystem().getPath("/rootfs.meta");

    int saved = root.saveMetadataOverlay(file);
    RootFs again = RootFs.at(root.root());
    assertThat(listing(again)).isNotEqualTo(before);
    int loaded = again.loadMetadataOverlay(file);

    assertThat(loaded).isEqualTo(saved);
    assertThat(listing(again)).isEqualTo(before);
    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).first().asString().startsWith("# kairos metadata overlay");
    assertThat(Files.exists(base.getFileSystem().getPath("/rootfs.meta.partial"))).isFalse();
  }

  @Test
  void loadingSkipsFilesThatAreGoneAndRefusesMalformedInput() throws Exception {
    root.writeString(p("/a"), "x");
    root.writeString(p("/b"), "x");
    root.setOwner(p("/a"), 1, 1);
    root.setOwner(p("/b"), 2, 2);
    Path file = base.getFileSystem().getPath("/rootfs.meta");
    assertThat(root.saveMetadataOverlay(file)).isEqualTo(2);
    root.delete(p("/a"));
    RootFs again = RootFs.at(root.root());
    assertThat(again.loadMetadataOverlay(file)).isEqualTo(1);
    assertThat(again.metadata(p("/b")).uid()).isEqualTo(2);

    Path bad = base.getFileSystem().getPath("/bad.meta");
    Files.writeString(bad, "not an overlay\n");
    assertThatThrownBy(() -> again.loadMetadataOverlay(bad)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("/bad.meta:1");
    Files.writeString(bad, "# kairos metadata overlay v1\n/b uid=1\n/b colour=blue\n");
    assertThatThrownBy(() -> again.loadMetadataOverlay(bad)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("/bad.meta:3").hasMessageContaining("colour");
    Files.writeString(bad, "# kairos metadata overlay v1\n/b mode=99999\n");
    assertThatThrownBy(() -> again.loadMetadataOverlay(bad)).hasMessageContaining("mode");
  }
}
