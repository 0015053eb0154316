package dev.kairos.factory.oci.api.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.SourceDate;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ProvenanceTest {
  static final String IMAGE = "sha256:" + "c".repeat(64);
  static final String FRAMEWORK = "sha256:" + "d".repeat(64);

  static Provenance.Builder builder() {
    return Provenance.builder().subject("registry.example.com/me/os", IMAGE).kairosVersion("v1.0.0")
        .toolVersion("0.1.0").sourceDate(SourceDate.of(Instant.parse("2026-01-01T00:00:00Z")));
  }

  @Test
  void aStatementNamesTheImageAndEveryInputAndNoClock() throws Exception {
    byte[] json = builder().base("oci://docker.io/library/debian:12", Optional.of(FRAMEWORK.replace('d', 'e')))
        .dependency("framework", "oci://quay.io/kairos/framework:v2", Optional.of(FRAMEWORK))
        .option("model", "generic").packages(Map.of("bash", "5.2.15-2+b2")).build().toJson();
    JsonNode s = JsonMapper.builder().build().readTree(json);
    assertThat(s.get("_type").asString()).isEqualTo("https://in-toto.io/Statement/v1");
    assertThat(s.at("/subject/0/name").asString()).isEqualTo("registry.example.com/me/os");
    assertThat(s.at("/subject/0/digest/sha256").asString()).isEqualTo("c".repeat(64));
    assertThat(s.get("predicateType").asString()).isEqualTo("https://slsa.dev/provenance/v1");
    JsonNode def = s.at("/predicate/buildDefinition");
    assertThat(def.at("/externalParameters/base").asString()).isEqualTo("oci://docker.io/library/debian:12");
    assertThat(def.at("/internalParameters/sourceDateEpoch").asLong()).isEqualTo(1767225600L);
    assertThat(def.at("/internalParameters/packages/bash").asString()).isEqualTo("5.2.15-2+b2");
    assertThat(def.get("resolvedDependencies").valueStream().map(d -> d.get("name").asString()))
        .containsExactly("base", "framework");
    assertThat(s.at("/predicate/runDetails/builder/id").asString()).isEqualTo(Provenance.BUILDER_ID);
    // No wall clock: only the source date appears as a time.
    assertThat(new String(json)).doesNotContain("startedOn", "finishedOn", "invocationId");
  }

  @Test
  void theSameBuildGivesTheSameBytesWhateverTheOrderOfItsFacts() {
    byte[] a = builder().option("model", "generic").option("fips", "false")
        .dependency("provider-k3s", "oci://x/k3s", Optional.empty())
        .dependency("framework", "oci://x/fw", Optional.of(FRAMEWORK)).build().toJson();
    byte[] b = builder().dependency("framework", "oci://x/fw", Optional.of(FRAMEWORK))
        .dependency("provider-k3s", "oci://x/k3s", Optional.empty())
        .option("fips", "false").option("model", "generic").build().toJson();
    assertThat(a).isEqualTo(b);
  }

  @Test
  void aStatementWithoutItsRequiredFactsOrWithABadDigestIsRefused() {
    assertThatThrownBy(() -> Provenance.builder().subject("x", IMAGE).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kairosVersion");
    assertThatThrownBy(() -> Provenance.builder().subject("x", "sha256:short"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sha256:short");
  }
}
