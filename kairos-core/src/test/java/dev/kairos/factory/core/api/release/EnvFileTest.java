package dev.kairos.factory.core.api.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvFileTest {
  @Test
  void writesSortedQuotedAndBareIntegers() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("KAIROS_VERSION", "v1.0.0");
    m.put("KAIROS_FLAVOR_RELEASE", "12");
    m.put("B", "say \"hi\" $HOME `x` \\ !\nnext");
    m.put("A", "007");
    assertThat(EnvFile.format(m)).isEqualTo(
        "A=7\n"
            + "B=\"say \\\"hi\\\" \\$HOME \\`x\\` \\\\ \\!\\nnext\"\n"
            + "KAIROS_FLAVOR_RELEASE=12\n"
            + "KAIROS_VERSION=\"v1.0.0\"\n");
  }

  @Test
  void readsWhatItWritesAndCommonForms() {
    Map<String, String> m = Map.of("X", "a \"b\" $c\nd", "N", "42", "E", "");
    assertThat(EnvFile.parse(EnvFile.format(m))).isEqualTo(m);
    String osRelease = "# comment\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"
        + "export VERSION_ID='12'\nHOME_URL=https://www.debian.org/ # site\n\nMULTI=\"a\nb\"\nLAST=1";
    assertThat(EnvFile.parse(osRelease)).containsExactly(
        Map.entry("PRETTY_NAME", "Debian GNU/Linux 12 (bookworm)"),
        Map.entry("ID", "debian"),
        Map.entry("VERSION_ID", "12"),
        Map.entry("HOME_URL", "https://www.debian.org/"),
        Map.entry("MULTI", "a\nb"),
        Map.entry("LAST", "1"));
  }
}
