package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.release.KairosVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class LenientVersionTest {
  private static LenientVersion v(String text) {
    return LenientVersion.parse(text).orElseThrow();
  }

  @Test
  void theReleaseNumberIsAKairosVersion() {
    assertThat(v("24.04").release()).isEqualTo(KairosVersion.parse("24.4.0"));
    assertThat(v(" 12 ").release().segments()).containsExactly(12L, 0L, 0L);
    assertThat(v("20250101").release().toString()).isEqualTo("v20250101.0.0");
    assertThat(v("12").compareTo(v("12.0.0"))).isZero();
  }

  @Test
  void distroSuffixesThatSemverRefusesAreTaken() {
    assertThat(KairosVersion.tryParse("15.5beta")).isEmpty();
    assertThat(v("15.5beta").suffix()).isEqualTo("beta");
    assertThat(v("5.14.0-362.24.1.el9").suffix()).isEqualTo("362.24.1.el9");
    assertThat(LenientVersion.parse("")).isEmpty();
    assertThat(LenientVersion.parse("rolling")).isEmpty();
    assertThat(LenientVersion.parse("9".repeat(30))).isEmpty();
  }

  @Test
  void ordersReleasesThenSuffixesNaturally() {
    List<String> sorted = List.of("6.1.0-9-amd64", "24.04", "6.1.0", "6.1.0-18-amd64", "22.04", "15.5beta", "15.5")
        .stream().map(LenientVersionTest::v).sorted().map(x -> x.release() + (x.suffix().isEmpty() ? "" : "~" + x.suffix()))
        .toList();
    assertThat(sorted).containsExactly("v6.1.0~9-amd64", "v6.1.0~18-amd64", "v6.1.0", "v15.5.0~beta", "v15.5.0",
        "v22.4.0", "v24.4.0");
  }
}
