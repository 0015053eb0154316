package dev.kairos.factory.core.api.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.distro.OsRelease;
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
  void osReleaseParserReadsWhatItWrites() throws Exception {
    Map<String, String> m = Map.of("X", "a \"b\" $c `d`", "N", "42", "E", "");
    assertThat(OsRelease.parse("test", EnvFile.format(m)).fields()).isEqualTo(m);
  }
}
