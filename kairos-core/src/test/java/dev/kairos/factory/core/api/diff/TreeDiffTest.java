package dev.kairos.factory.core.api.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real directory roots, made alike and then changed in one field each. */
class TreeDiffTest {
  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

  @TempDir Path dir;

  private RootFs root(String name) throws Exception {
    RootFs r = RootFs.at(Files.createDirectories(dir.resolve(name)));
    for (String p : new String[] {"/etc/hostname", "/etc/motd", "/usr/bin/tool", "/etc/owned", "/etc/old"}) {
      r.createDirectories(ImagePath.of(p).parent());
      r.writeString(ImagePath.of(p), "same " + p + "\n");
    }
    r.createSymlink(ImagePath.of("/etc/link"), "hostname");
    r.setXattr(ImagePath.of("/usr/bin/tool"), "user.kind", "tool".getBytes(StandardCharsets.UTF_8));
    for (String p : new String[] {"/", "/etc", "/usr", "/usr/bin", "/etc/hostname", "/etc/motd", "/usr/bin/tool",
        "/etc/owned", "/etc/old", "/etc/link"}) {
      r.setMtime(ImagePath.of(p), T);
    }
    return r;
  }

  @Test
  void identicalTreesHaveNoDifferences() throws Exception {
    DiffReport r = TreeDiff.compare(root("a"), root("b"));
    assertThat(r.identical()).isTrue();
    assertThat(r.explain(10)).isEqualTo("root: identical");
  }

  @Test
  void eachChangedFieldIsOneLine() throws Exception {
    RootFs a = root("a");
    RootFs b = root("b");
    b.writeString(ImagePath.of("/etc/hostname"), "other\n");
    b.setMtime(ImagePath.of("/etc/hostname"), T);
    b.setMode(ImagePath.of("/usr/bin/tool"), 04755);
    b.setOwner(ImagePath.of("/etc/owned"), 1000, 100);
    b.setMtime(ImagePath.of("/etc/motd"), T.plusSeconds(1));
    b.setXattr(ImagePath.of("/usr/bin/tool"), "user.kind", "other".getBytes(StandardCharsets.UTF_8));
    b.delete(ImagePath.of("/etc/link"));
    b.createSymlink(ImagePath.of("/etc/link"), "motd");
    b.setMtime(ImagePath.of("/etc/link"), T);
    b.delete(ImagePath.of("/etc/old"));
    b.setMtime(ImagePath.of("/etc"), T);

    DiffReport r = TreeDiff.compare(a, b);

    assertThat(r.differences()).extracting(Difference::toString).containsExactly(
        "/etc/hostname: content sha256:d6f0368547d27895726496f071af608a6da9cafa8b5723e4fa94c3cec489bbb2 (19 bytes)"
            + " -> sha256:7e4fa2eb8c7ac089739d5defc4489fad68a100d92082ca35c6b40a4524821f87 (6 bytes)",
        "/etc/link: target hostname -> motd",
        "/etc/motd: mtime 2025-01-01T00:00:00Z -> 2025-01-01T00:00:01Z",
        "/etc/old: present regular -> (absent)",
        "/etc/owned: gid 0 -> 100",
        "/etc/owned: uid 0 -> 1000",
        "/usr/bin/tool: mode 0644 -> 4755",
        "/usr/bin/tool: xattr:user.kind \"tool\" -> \"other\"");
  }

  @Test
  void sameFactsOnBothSidesAreNotADifference() {
    assertThatThrownBy(() -> Difference.of("/x", "mode", "0644", "0644")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0644 on both sides");
  }
}
