package dev.kairos.factory.core.api.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class KairosVersionTest {
  @ParameterizedTest
  @CsvSource({
      "1.0.0, v1.0.0",
      "v1.0, v1.0.0",
      "1, v1.0.0",
      "1.2.3.4, v1.2.3.4",
      "01.02.3, v1.2.3",
      "v0.17.3-1-gccd9c89, v0.17.3-1-gccd9c89",
      "1.2.3-rc1+build.5, v1.2.3-rc1+build.5",
      "v2.0.0-alpha.1, v2.0.0-alpha.1",
      "3.1+meta, v3.1.0+meta"})
  void acceptsAndNormalises(String in, String written) {
    assertThat(KairosVersion.parse(in).toString()).isEqualTo(written);
  }

  @ParameterizedTest
  @ValueSource(strings = {"latest", "", "V1.0.0", "1.0.0rc1", "1.0.0-", "1.0.0-rc_1", " 1.0.0", "1.0.0 ", "v", "1..2",
      "99999999999999999999.0"})
  void rejects(String in) {
    assertThat(KairosVersion.tryParse(in)).isEmpty();
    assertThatThrownBy(() -> KairosVersion.parse(in))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed version: '" + in + "'");
  }

  @Test
  void ordersBySemverPrecedence() {
    assertThat(KairosVersion.parse("1.10").compareTo(KairosVersion.parse("1.9.9"))).isPositive();
    assertThat(KairosVersion.parse("1.0.0-rc1").compareTo(KairosVersion.parse("1.0.0"))).isNegative();
    assertThat(KairosVersion.parse("v1.0").equals(KairosVersion.parse("1.0.0"))).isTrue();
  }
}
