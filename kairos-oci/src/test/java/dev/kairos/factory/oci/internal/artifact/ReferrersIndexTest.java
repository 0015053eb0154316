package dev.kairos.factory.oci.internal.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferrersIndexTest {
  static final String M = "application/vnd.oci.image.manifest.v1+json";

  @Test
  void addingKeepsEveryEntryAlreadyThereAndAddsADigestOnce() throws Exception {
    // An entry another tool wrote, with fields we do not write ourselves.
    String foreign = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        + "{\"mediaType\":\"" + M + "\",\"digest\":\"sha256:" + "1".repeat(64) + "\",\"size\":42,"
        + "\"artifactType\":\"application/vnd.dev.cosign.artifact.sig.v1+json\",\"annotations\":{\"k\":\"v\"}}]}";
    List<ReferrersIndex.Entry> existing = ReferrersIndex.parse(foreign.getBytes(), "tag");
    ReferrersIndex.Entry ours = new ReferrersIndex.Entry(M, "sha256:" + "2".repeat(64), 99, "application/spdx+json",
        Map.of());
    List<ReferrersIndex.Entry> both = ReferrersIndex.with(existing, ours);
    assertThat(both).hasSize(2);
    assertThat(ReferrersIndex.with(both, ours)).isEqualTo(both);
    List<ReferrersIndex.Entry> back = ReferrersIndex.parse(ReferrersIndex.write(both), "tag");
    assertThat(back).isEqualTo(both);
    assertThat(back.get(0).annotations()).containsEntry("k", "v");
  }

  @Test
  void theTagOfASubjectIsItsDigestWithADash() {
    assertThat(ReferrersIndex.tag("sha256:" + "ab".repeat(32))).isEqualTo("sha256-" + "ab".repeat(32));
  }
}
