package dev.kairos.factory.core.internal.yip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class YamlReaderTest {
  /** Nine levels of ten aliases each: 10^9 nodes expanded, from about 400 bytes of text. */
  private static String laughs() {
    StringBuilder b = new StringBuilder("l0: &l0 [lol]\n");
    for (int i = 1; i <= 9; i++) {
      b.append("l").append(i).append(": &l").append(i).append(" [")
          .append(String.join(",", Collections.nCopies(10, "*l" + (i - 1)))).append("]\n");
    }
    return b.toString();
  }

  @Test
  void nestedAliasesPastTheLimitAreRefusedNamingFileAndLimit() {
    assertThatThrownBy(() -> YamlReader.read("bomb.yaml", laughs()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("bomb.yaml:")
        .hasMessageContaining("limit of " + YamlReader.MAX_EXPANDED_NODES + " nodes");
  }

  @Test
  void aliasesOfLongTextCountTheirCharacters() {
    String big = "x".repeat(1 << 20);
    String yaml = "a: &a " + big + "\nb: [" + String.join(",", Collections.nCopies(100, "*a")) + "]\n";
    assertThatThrownBy(() -> YamlReader.read("big.yaml", yaml))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("big.yaml:")
        .hasMessageContaining("64 MiB");
  }

  @Test
  void ordinaryAliasesAndMergesStillExpand() throws Exception {
    YamlNode.Mapping root = (YamlNode.Mapping) YamlReader.read("ok.yaml",
        "base: &b {x: 1, y: 2}\nuse: {<<: *b, y: 3}\nlist: [*b, *b]\n");
    YamlNode.Mapping use = (YamlNode.Mapping) root.entries().get(1).value();
    assertThat(use.entries()).extracting(e -> e.key().text()).containsExactly("x", "y");
    assertThat(((YamlNode.Scalar) use.entries().get(1).value()).text()).isEqualTo("3");
    assertThat(((YamlNode.Sequence) root.entries().get(2).value()).items()).hasSize(2);
  }

  @Test
  void syntaxErrorsAreOneLineAtTheProblemWithoutDrawings() {
    assertThatThrownBy(() -> YamlReader.read("s.yaml", "a: 1\nb: c: d\n"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.getMessage()).startsWith("s.yaml:2:5: YAML syntax error: ")
              .contains("mapping values are not allowed").doesNotContain("\n", "^", "in reader");
        });
    assertThatThrownBy(() -> YamlReader.read("f.yaml", "a: [1,\n"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.getMessage()).startsWith("f.yaml:2:1: YAML syntax error: ")
              .doesNotContain("\n", "^", "in reader");
        });
  }
}
