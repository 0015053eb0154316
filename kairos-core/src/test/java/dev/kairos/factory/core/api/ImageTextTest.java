package dev.kairos.factory.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageTextTest {

  @Test
  void plainTextIsUnchanged() {
    assertThat(ImageText.escape("kairos-ubuntu-24.04-core-amd64-generic-v1.0.0+k3s1"))
        .isEqualTo("kairos-ubuntu-24.04-core-amd64-generic-v1.0.0+k3s1");
    assertThat(ImageText.quote("Debian GNU/Linux 12 (bookworm)")).isEqualTo("'Debian GNU/Linux 12 (bookworm)'");
    assertThat(ImageText.escape("Ubuntu für Größe 日本")).isEqualTo("Ubuntu für Größe 日本");
    assertThat(ImageText.hasControlCharacters("plain text")).isFalse();
  }

  @Test
  void terminalEscapesAreShownNotObeyed() {
    String osc = "\033]0;pwned\007Debian\033[31m";
    assertThat(ImageText.quote(osc)).isEqualTo("'\\x1b]0;pwned\\x07Debian\\x1b[31m'").doesNotContain("\033", "\007");
    assertThat(ImageText.escape("a\u009bb\u007fc")).isEqualTo("a\\x9bb\\x7fc");
    assertThat(ImageText.escape("line\nbreak\r\ttab")).isEqualTo("line\\nbreak\\r\\ttab");
    assertThat(ImageText.hasControlCharacters(osc)).isTrue();
  }

  @Test
  void invisibleReorderingCharactersAreEscaped() {
    assertThat(ImageText.escape("abc\u202Efed\u200B")).isEqualTo("abc\\u202efed\\u200b");
    assertThat(ImageText.escape("x\u2028y")).isEqualTo("x\\u2028y");
    assertThat(ImageText.escape("lone \uD800 surrogate")).isEqualTo("lone \\ud800 surrogate");
    assertThat(ImageText.escape("pair \uD83D\uDE00 kept")).isEqualTo("pair \uD83D\uDE00 kept");
  }

  @Test
  void quotingIsUnambiguous() {
    assertThat(ImageText.quote("it's a\\b")).isEqualTo("'it\\'s a\\\\b'");
  }

  @Test
  void longTextIsCappedWithItsLength() {
    String line = "x".repeat(300_000); // stands for the 300 MB line that once became a message
    String q = ImageText.quote(line);
    assertThat(q).hasSizeLessThan(ImageText.DEFAULT_LIMIT + 40)
        .startsWith("'xxx").endsWith("'… (300,000 characters)");
    assertThat(ImageText.escape("abcdef", 3)).isEqualTo("abc… (6 characters)");
    assertThat(ImageText.escape("abc", 3)).isEqualTo("abc");
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    String s = "ab\uD83D\uDE00cd";
    assertThat(ImageText.escape(s, 3)).isEqualTo("ab… (6 characters)");
  }

  @Test
  void forTerminalKeepsLinesAndTabs() {
    assertThat(ImageText.forTerminal("one\n\ttwo\033[2J", 100)).isEqualTo("one\n\ttwo\\x1b[2J");
  }

  @Test
  void aLimitBelowOneIsMisuse() {
    assertThatThrownBy(() -> ImageText.escape("x", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
  }

  @Test
  void exceptionsThatCarryImageTextShowItEscaped() {
    String hostile = "deb\033]0;x\007" + "a/".repeat(5_000);
    assertThat(new UnsupportedTargetException("distro", hostile, java.util.List.of("debian")).getMessage())
        .startsWith("unsupported distro 'deb\\x1b]0;x\\x07a/a/").endsWith("; supported: debian")
        .doesNotContain("\033").hasSizeLessThan(300);
    UnsafePathException u = new UnsafePathException(hostile, "refused");
    assertThat(u.getMessage()).startsWith("deb\\x1b]0;x\\x07a/").endsWith(": refused").hasSizeLessThan(300);
    assertThat(u.path()).isEqualTo(hostile);
  }
}
