package dev.kairos.factory.core.api.distro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import java.util.List;
import org.junit.jupiter.api.Test;

class OsReleaseTest {
  @Test
  void parsesQuotesEscapesCommentsAndBlankLines() throws Exception {
    String text = """
        # a comment
           # an indented comment

        NAME="Ubuntu"
        ID=ubuntu
        ID_LIKE=debian
        SINGLE='it has $dollar and \\backslash'
        ESCAPED="a \\"quoted\\" \\$word with \\\\ and \\` and \\n kept"
        BARE=a\\ b
        EMPTY=
        EMPTY_QUOTED=""
        CRLF="x"\r
        """;
    OsRelease os = OsRelease.parse("/etc/os-release", text);
    assertThat(os.fields()).containsEntry("NAME", "Ubuntu")
        .containsEntry("SINGLE", "it has $dollar and \\backslash")
        .containsEntry("ESCAPED", "a \"quoted\" $word with \\ and ` and \\n kept")
        .containsEntry("BARE", "a b")
        .containsEntry("EMPTY", "")
        .containsEntry("EMPTY_QUOTED", "")
        .containsEntry("CRLF", "x");
    assertThat(os.id()).isEqualTo("ubuntu");
    assertThat(os.idLike()).containsExactly("debian");
    assertThat(List.copyOf(os.fields().keySet())).isSorted();
  }

  @Test
  void quotedValueMaySpanLines() throws Exception {
    OsRelease os = OsRelease.parse("f", "A=\"one\ntwo\"\nB=3\n");
    assertThat(os.fields()).containsEntry("A", "one\ntwo").containsEntry("B", "3");
  }

  @Test
  void malformedLinesNameFileAndLine() {
    assertThatThrownBy(() -> OsRelease.parse("/etc/os-release", "ID=x\nthis is not an assignment\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("/etc/os-release:2:")
        .satisfies(e -> assertThat(((InvalidInputException) e).line()).contains(2));
    assertThatThrownBy(() -> OsRelease.parse("f", "ID=x\nNAME=\"open\n"))
        .hasMessageContaining("f:2:").hasMessageContaining("unterminated");
    assertThatThrownBy(() -> OsRelease.parse("f", "NAME=\"a\"\"b\"\n"))
        .hasMessageContaining("f:1:").hasMessageContaining("concatenation");
    assertThatThrownBy(() -> OsRelease.parse("f", "NAME=two words\n"))
        .hasMessageContaining("f:1:").hasMessageContaining("quoted");
    assertThatThrownBy(() -> OsRelease.parse("f", "\n\n9ID=x\n"))
        .hasMessageContaining("f:3:").hasMessageContaining("9ID");
  }

  @Test
  void readsEtcThenUsrLibFollowingRelativeSymlink() throws Exception {
    RootFs root = InMemoryRootFs.create();
    assertThatThrownBy(() -> OsRelease.read(root)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("/usr/lib/os-release");
    root.createDirectories(ImagePath.of("/usr/lib"));
    root.writeString(ImagePath.of("/usr/lib/os-release"), "ID=fedora\n");
    assertThat(OsRelease.read(root).id()).isEqualTo("fedora");
    assertThat(OsRelease.read(root).source()).isEqualTo("/usr/lib/os-release");
    root.createDirectories(ImagePath.of("/etc"));
    root.createSymlink(ImagePath.of("/etc/os-release"), "../usr/lib/os-release");
    assertThat(OsRelease.read(root).source()).isEqualTo("/etc/os-release");
    root.delete(ImagePath.of("/etc/os-release"));
    root.writeString(ImagePath.of("/etc/os-release"), "ID=rocky\nPRETTY_NAME=\n NAME=\"Rocky Linux\"\n");
    OsRelease os = OsRelease.read(root);
    assertThat(os.id()).isEqualTo("rocky");
    assertThat(os.prettyName()).isEqualTo("Rocky Linux");
    assertThat(os.idLike()).isEqualTo(List.of());
  }

  @Test
  void imageTextInErrorsIsEscapedAndCapped() {
    assertThatThrownBy(() -> OsRelease.parse("/etc/os-release", "ID=x\nbad \033]0;pwned\007 line\n"))
        .hasMessageContaining("'bad \\x1b]0;pwned\\x07 line'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\033", "\007"));
    String huge = "y".repeat(1_000_000);
    assertThatThrownBy(() -> OsRelease.parse("/etc/os-release", huge + "\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("… (1,000,000 characters)")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
  }

  @Test
  void aFileLargerThanTheLimitIsRefusedWithoutBeingReadWhole() throws Exception {
    RootFs root = InMemoryRootFs.create();
    root.createDirectories(ImagePath.of("/etc"));
    root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\nPRETTY_NAME=\"" + "z".repeat(OsRelease.MAX_BYTES) + "\"\n");
    assertThatThrownBy(() -> OsRelease.read(root)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("/etc/os-release: larger than 65536 bytes");
    root.writeString(ImagePath.of("/etc/kairos-release"), "KAIROS_FLAVOR=\"" + "z".repeat(OsRelease.MAX_BYTES) + "\"\n");
    assertThatThrownBy(() -> dev.kairos.factory.core.api.release.KairosRelease.read(root))
        .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("/etc/kairos-release: larger than");
    root.writeString(ImagePath.of("/etc/os-release"), "ID=debian\n");
    assertThat(OsRelease.read(root).id()).isEqualTo("debian");
  }
}
