package dev.kairos.factory.core.internal.yip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GoTemplateTest {
  private static final Map<String, Object> DATA = Map.of("Values", Map.of(
      "node", Map.of("hostname", "Kairos-Node-01"),
      "os", Map.of("name", "Debian GNU/Linux 12 (bookworm)", "vendor", "debian"),
      "list", List.of("a", "b"),
      "empty", ""));

  private static String x(String t) throws Exception {
    return GoTemplate.expand(t, DATA);
  }

  @Test
  void fieldsPipelinesAndSprig() throws Exception {
    assertThat(x("{{ .Values.node.hostname }}")).isEqualTo("Kairos-Node-01");
    assertThat(x("{{ .Values.node.hostname | lower | trunc 5 }}")).isEqualTo("kairo");
    assertThat(x("{{ trunc -2 .Values.node.hostname }}")).isEqualTo("01");
    assertThat(x("{{ upper .Values.os.vendor }}")).isEqualTo("DEBIAN");
    assertThat(x("{{ .Values.empty | default \"fallback\" }}")).isEqualTo("fallback");
    assertThat(x("{{ default \"d\" .Values.nosuch }}")).isEqualTo("d");
    assertThat(x("{{ replace \"-\" \"_\" .Values.node.hostname }}")).isEqualTo("Kairos_Node_01");
    assertThat(x("{{ .Values.os.vendor | quote }}")).isEqualTo("\"debian\"");
    assertThat(x("{{ join \",\" .Values.list }}")).isEqualTo("a,b");
    assertThat(x("{{ printf \"%s-%d\" .Values.os.vendor 7 }}")).isEqualTo("debian-7");
    assertThat(x("{{ b64enc \"hi\" }}/{{ \"aGk=\" | b64dec }}")).isEqualTo("aGk=/hi");
    assertThat(x("{{ (.Values.os).vendor }}")).isEqualTo("debian");
    assertThat(x("{{ env \"KAIROS_YIP_SURELY_UNSET\" }}")).isEmpty();
  }

  @Test
  void controlFlowAndTrimMarkers() throws Exception {
    assertThat(x("{{ if eq .Values.os.vendor \"debian\" }}deb{{ else if eq .Values.os.vendor \"ubuntu\" }}ubu{{ else }}other{{ end }}"))
        .isEqualTo("deb");
    assertThat(x("{{ if .Values.nosuch }}yes{{ else }}no{{ end }}")).isEqualTo("no");
    assertThat(x("{{ range .Values.list }}[{{ . }}]{{ end }}")).isEqualTo("[a][b]");
    assertThat(x("{{ with .Values.os }}{{ .vendor }}{{ end }}")).isEqualTo("debian");
    assertThat(x("a  {{- \"b\" -}}  c")).isEqualTo("abc");
    assertThat(x("x{{/* comment */}}y")).isEqualTo("xy");
  }

  @Test
  void goEdgeCases() throws Exception {
    // a missing key prints <no value>; walking into it is an error
    assertThat(x("{{ .Values.nosuch }}|{{ .Foo }}")).isEqualTo("<no value>|<no value>");
    assertThatThrownBy(() -> x("{{ .Values.nosuch.x }}")).isInstanceOf(GoTemplate.TemplateException.class);
    // docker-style text is mangled exactly like yip does
    assertThat(GoTemplate.expandOrKeep("docker ps --format '{{.Names}}'", DATA)).isEqualTo("docker ps --format '<no value>'");
    // errors keep the original text
    for (String bad : List.of("{{", "{{ .a }", "{{ nosuchfunc 1 }}", "{{ if true }}open", "{{ end }}", "{{ $x := 1 }}")) {
      assertThat(GoTemplate.expandOrKeep(bad, DATA)).as(bad).isEqualTo(bad);
    }
    assertThat(x("{{ \"{{\" }}.X}}")).isEqualTo("{{.X}}");
    assertThat(x("no templates here")).isEqualTo("no templates here");
  }

  @Test
  void nestedRangesAreBoundedInIterationsTogether() {
    // 1000 x 1000 empty iterations print nothing: only the shared iteration count stops them.
    assertThatThrownBy(() -> x("{{ range 1000 }}{{ range 1000 }}{{ end }}{{ end }}"))
        .isInstanceOf(GoTemplate.LimitException.class)
        .hasMessageContaining("limit of " + GoTemplate.MAX_RANGE + " iterations");
    assertThatThrownBy(() -> GoTemplate.expandOrKeep("{{ range 200000 }}{{ end }}", DATA))
        .isInstanceOf(GoTemplate.LimitException.class);
  }

  @Test
  void stringGrowthIsBoundedBeforeItIsAllocated() {
    assertThatThrownBy(() -> x("{{ repeat 1000000 (repeat 1000000 \"x\") }}"))
        .isInstanceOf(GoTemplate.LimitException.class).hasMessageContaining("limit of 16 MiB");
    assertThatThrownBy(() -> x("{{ replace \"x\" (repeat 10000 \"y\") (repeat 10000 \"x\") }}"))
        .isInstanceOf(GoTemplate.LimitException.class);
    assertThatThrownBy(() -> x("{{ range 50000 }}{{ repeat 1000 \"x\" }}{{ end }}"))
        .isInstanceOf(GoTemplate.LimitException.class).hasMessageContaining("16 MiB");
    assertThatThrownBy(() -> x("{{ $s := 1 }}"))
        .isNotInstanceOf(GoTemplate.LimitException.class);
  }

  @Test
  void deepNestingIsALimitNotAStackOverflow() {
    assertThatThrownBy(() -> x("{{ " + "(".repeat(10_000) + "1" + ")".repeat(10_000) + " }}"))
        .isInstanceOf(GoTemplate.LimitException.class).hasMessageContaining("nest");
    assertThatThrownBy(() -> GoTemplate.check("{{ if 1 }}".repeat(5000) + "{{ end }}".repeat(5000)))
        .isInstanceOf(GoTemplate.LimitException.class).hasMessageContaining("nest");
  }

  @Test
  void withinTheLimitsNothingChanges() throws Exception {
    assertThat(x("{{ range 3 }}{{ . }}{{ end }}")).isEqualTo("012");
    assertThat(x("{{ repeat 3 \"ab\" }}")).isEqualTo("ababab");
    assertThat(x("{{ join \"-\" (list \"\" \"a\" \"b\") }}")).isEqualTo("-a-b");
    assertThat(x("{{ indent 2 \"a\\nb\" }}")).isEqualTo("  a\n  b");
  }
}
