package dev.kairos.factory.oci.internal.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.UnsafePathException;
import dev.kairos.factory.oci.api.artifact.ArtifactFile;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ArtifactManifestTest {
  static final String D1 = "sha256:" + "a".repeat(64);
  static final String D2 = "sha256:" + "b".repeat(64);

  @Test
  void writtenManifestReadsBackWithItsFilesSubjectAndAnnotations() throws Exception {
    List<ArtifactFile> files = List.of(new ArtifactFile("kairos.iso", "application/octet-stream", D1, 10),
        new ArtifactFile("kairos.iso.sha256", "text/plain", D2, 80));
    byte[] json = ArtifactManifest.write("application/vnd.kairos.iso.v1", files,
        Optional.of(new Descriptor(MediaTypes.OCI_MANIFEST, D2, 500)), Map.of(ArtifactManifest.CREATED, "2026-01-01T00:00:00Z"));
    ArtifactManifest.Parsed p = ArtifactManifest.parse(json, "test");
    assertThat(p.artifactType()).isEqualTo("application/vnd.kairos.iso.v1");
    assertThat(p.files()).isEqualTo(files);
    assertThat(p.subject()).contains(D2);
    assertThat(p.annotations()).containsEntry(ArtifactManifest.CREATED, "2026-01-01T00:00:00Z");
    // The same inputs, the same bytes (the digest is the artifact's identity).
    assertThat(ArtifactManifest.write("application/vnd.kairos.iso.v1", files,
        Optional.of(new Descriptor(MediaTypes.OCI_MANIFEST, D2, 500)), Map.of(ArtifactManifest.CREATED, "2026-01-01T00:00:00Z")))
        .isEqualTo(json);
    assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"org.opencontainers.image.title\":\"kairos.iso\"",
        "\"mediaType\":\"application/vnd.oci.empty.v1+json\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../escape", "..", ".", "", "a/b", "/etc/passwd", "dir\\file", "bell\u0007", ".x.kairos-tmp-1-2"})
  void aNameThatIsNotOnePlainFileNameIsRefused(String name) {
    byte[] json = ArtifactManifest.write("t", List.of(new ArtifactFile(name, "x", D1, 1)), Optional.empty(), Map.of());
    assertThatThrownBy(() -> ArtifactManifest.parse(json, "test")).isInstanceOf(UnsafePathException.class)
        .hasMessageContaining("refused as an artifact file name");
  }

  @Test
  void twoFilesOfOneNameOrALayerWithoutTitleAreRefused() {
    byte[] twice = ArtifactManifest.write("t", List.of(new ArtifactFile("a", "x", D1, 1), new ArtifactFile("a", "x", D2, 1)),
        Optional.empty(), Map.of());
    assertThatThrownBy(() -> ArtifactManifest.parse(twice, "test")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("two layers are named");
    String untitled = "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"x\",\"digest\":\"" + D1 + "\",\"size\":1}]}";
    assertThatThrownBy(() -> ArtifactManifest.parse(untitled.getBytes(StandardCharsets.UTF_8), "test"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("has no org.opencontainers.image.title");
  }
}
