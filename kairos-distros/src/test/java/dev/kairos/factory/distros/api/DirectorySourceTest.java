package dev.kairos.factory.distros.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectorySourceTest {
  @Test
  void copiesEveryKindOfFileWithItsMetadata() throws Exception {
    RootFs src = InMemoryRootFs.create();
    Instant t = Instant.parse("2024-01-02T03:04:05Z");
    src.createDirectory(ImagePath.of("/etc"), FileMetadata.builder(FileType.DIRECTORY).mode(0750).uid(0).gid(4).mtime(t).build());
    src.write(ImagePath.of("/etc/shadow"), "root:*:1::::::\n".getBytes(StandardCharsets.UTF_8), 0640);
    src.setOwner(ImagePath.of("/etc/shadow"), 0, 42);
    src.setXattr(ImagePath.of("/etc/shadow"), "user.k", new byte[] {1, 2});
    src.createDirectories(ImagePath.of("/usr/bin"));
    src.write(ImagePath.of("/usr/bin/sudo"), new byte[] {0x7f, 'E', 'L', 'F'}, 04755);
    src.createHardlink(ImagePath.of("/usr/bin/sudoedit"), ImagePath.of("/usr/bin/sudo"));
    src.createSymlink(ImagePath.of("/bin"), "usr/bin");
    src.createDirectories(ImagePath.of("/dev"));
    src.createSpecial(ImagePath.of("/dev/null"), FileMetadata.builder(FileType.CHAR_DEVICE).mode(0666).device(1, 3).build());
    src.setMtime(ImagePath.of("/etc"), t);

    RootFs dst = InMemoryRootFs.create();
    java.nio.file.Path target = dst.root().resolveSibling("copy");
    List<Object> events = new ArrayList<>();
    RootFs copy = DirectorySource.of(src).materialize(target, events::add);

    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    src.walk(ImagePath.ROOT, e -> a.add(e.toString()));
    copy.walk(ImagePath.ROOT, e -> b.add(e.toString()));
    assertThat(b).isEqualTo(a).hasSize(10);
    assertThat(copy.metadata(ImagePath.of("/etc")).mtime()).isEqualTo(t);
    assertThat(copy.metadata(ImagePath.of("/usr/bin/sudo")).mode()).isEqualTo(04755);
    assertThat(copy.readString(ImagePath.of("/etc/shadow"))).startsWith("root:");
    // the progress counts files (the five that are not directories), not bytes
    assertThat(events).last().isInstanceOfSatisfying(KairosEvent.Progress.class, p -> {
      assertThat(p.unit()).isEqualTo(KairosEvent.Progress.Unit.FILES);
      assertThat(p.done()).isEqualTo(5);
      assertThat(p.total()).isEqualTo(5);
    });
  }

  @Test
  void refusesANonEmptyTarget() throws Exception {
    RootFs src = InMemoryRootFs.create();
    RootFs dst = InMemoryRootFs.create();
    dst.writeString(ImagePath.of("/x"), "x");
    assertThatThrownBy(() -> DirectorySource.of(src).materialize(dst.root(), EventListener.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be empty");
    assertThat(DirectorySource.of(src).description()).isEqualTo("dir:/rootfs");
  }
}
