package dev.kairos.factory.core.api.yip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class YipValidatorTest {
  @Test
  void findsWhatYipWouldSilentlyGetWrong() throws Exception {
    YipDocument d = Yip.lenient().parse("""
        name: v
        stages:
          boot:
          - name: s
            only_os: "^(?!ubuntu).*"
            only_service_manager: upstart
            systctl: {a: b}
            files:
            - {path: etc/x, content: "{{ nosuch }}", encoding: B64, permissions: 0644, ownerstring: "1000:1000"}
            commands: ["echo {{ .Values.os.name }}"]
            hostname: "{{ .UUID"
          - name: t
            after: [{name: v.missing}]
        """, "v.yaml");
    List<YipDiagnostic> found = YipValidator.validate(List.of(d), false);
    assertThat(found).extracting(Object::toString).containsExactly(
        "v.yaml:7:5: warning: unknown key 'systctl' in step (yip ignores it); did you mean 'sysctl'?",
        "v.yaml:4:5: warning: only_os '^(?!ubuntu).*' is not an RE2 regular expression (invalid or unsupported Perl syntax): the step is always skipped",
        "v.yaml:4:5: warning: only_service_manager 'upstart' is neither systemd nor openrc: the step never runs",
        "v.yaml:4:5: warning: files etc/x: encoding 'B64' is unknown; yip writes the content as plain text",
        "v.yaml:4:5: warning: files etc/x: ownerstring takes names, not ids; use owner and group for '1000:1000'",
        "v.yaml:4:5: warning: files: path 'etc/x' is not absolute",
        "v.yaml:4:5: error: hostname template does not parse (unclosed action): the hostname step fails",
        "v.yaml:12:5: error: step v.t: after 'v.missing' names no step of stage boot in this source; known: [v.s, v.t]");
    assertThat(YipValidator.hasErrors(found)).isTrue();
    assertThat(YipValidator.validate(List.of(d), true)).allMatch(x -> x.severity() == YipDiagnostic.Severity.ERROR);
  }

  @Test
  void cleanDocumentHasNoFindings() throws Exception {
    YipDocument d = Yip.lenient().parse("stages:\n  boot:\n  - commands: [\"echo {{ .Values.os.name }}\"]\n", "ok.yaml");
    assertThat(YipValidator.validate(List.of(d), true)).isEmpty();
  }
}
