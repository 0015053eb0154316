package dev.kairos.factory.distros.api.sbom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.factory.core.api.fs.RootFs;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Both formats of the bills of the apk, rpm and pacman fixture roots, checked by the formats' own tools. */
class SbomTest {
  static final Instant DATE = Instant.parse("2026-01-02T03:04:05Z");

  static RootFs fixture(String name) throws Exception {
    return RootFs.at(Path.of(SbomTest.class.getResource("/sbom/" + name).toURI()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"apk", "rpm", "pacman"})
  void bothFormatsValidateAndHoldOneEntryPerPackage(String db, @TempDir Path out) throws Exception {
    Sbom sbom = Sbom.read(fixture(db), DATE);
    assertThat(sbom.packages()).isNotEmpty();

    JsonNode cdx = SbomFormatsCheck.cycloneDx(Files.readAllBytes(sbom.write(SbomFormat.CYCLONEDX, out.resolve("a.cdx.json"))));
    assertThat(cdx.path("components")).hasSize(sbom.components().size());
    assertThat(cdx.path("metadata").path("timestamp").asText()).isEqualTo("2026-01-02T03:04:05Z");
    List<String> purls = new ArrayList<>();
    cdx.path("components").forEach(c -> purls.add(c.path("purl").asText()));
    assertThat(purls).containsExactlyElementsOf(sbom.components().stream().map(SbomComponent::purl).toList());
    // every package's dependencies are in the graph
    for (SbomComponent c : sbom.packages()) {
      JsonNode dep = null;
      for (JsonNode d : cdx.path("dependencies")) {
        if (d.path("ref").asText().equals(c.purl())) {
          dep = d;
        }
      }
      assertThat(dep).as(c.purl()).isNotNull();
      List<String> on = new ArrayList<>();
      dep.path("dependsOn").forEach(n -> on.add(n.asText()));
      assertThat(on).containsExactlyElementsOf(c.dependsOn());
    }

    JsonNode spdx = SbomFormatsCheck.spdx(Files.readAllBytes(sbom.write(SbomFormat.SPDX, out.resolve("a.spdx.json"))));
    assertThat(spdx.path("packages")).hasSize(sbom.components().size() + 1); // and the image
    assertThat(spdx.path("creationInfo").path("created").asText()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(spdx.path("documentNamespace").asText()).endsWith(sbom.uuid().toString());
  }

  @Test
  void sameRootAndDateGiveTheSameBytesAndAnotherDateAnotherIdentity() throws Exception {
    for (SbomFormat f : SbomFormat.values()) {
      byte[] a = Sbom.read(fixture("rpm"), DATE).toBytes(f);
      byte[] b = Sbom.read(fixture("rpm"), DATE).toBytes(f);
      assertThat(a).as(f.toString()).isEqualTo(b);
    }
    assertThat(Sbom.read(fixture("rpm"), DATE).uuid()).isNotEqualTo(Sbom.read(fixture("rpm"), DATE.plusSeconds(1)).uuid());
    assertThat(Sbom.read(fixture("rpm"), DATE).uuid()).isNotEqualTo(Sbom.read(fixture("apk"), DATE).uuid());
  }

  @Test
  void licencesThatAreNotSpdxStayTextInCycloneDxAndNoAssertionInSpdx() throws Exception {
    SbomComponent debianStyle = new SbomComponent(SbomComponent.Kind.DEB, "x", "1", "amd64", Optional.of("GPL-2+"),
        Optional.empty(), "pkg:deb/debian/x@1?arch=amd64", List.of());
    SbomComponent spdxExpr = new SbomComponent(SbomComponent.Kind.DEB, "y", "1", "amd64",
        Optional.of("GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT"), Optional.of("Me"), "pkg:deb/debian/y@1?arch=amd64",
        List.of("pkg:deb/debian/x@1?arch=amd64"));
    Sbom sbom = Sbom.of("img", "v1", DATE, List.of(spdxExpr, debianStyle));
    JsonNode cdx = SbomFormatsCheck.cycloneDx(sbom.toBytes(SbomFormat.CYCLONEDX));
    assertThat(cdx.path("components").get(0).path("licenses").get(0).path("license").path("name").asText()).isEqualTo("GPL-2+");
    assertThat(cdx.path("components").get(1).path("licenses").get(0).path("expression").asText())
        .isEqualTo("GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT");
    JsonNode spdx = SbomFormatsCheck.spdx(sbom.toBytes(SbomFormat.SPDX));
    assertThat(spdx.toString()).contains("GPL-2+").contains("NOASSERTION");
    assertThatThrownBy(() -> Sbom.of("img", "v1", DATE, List.of(debianStyle, debianStyle)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pkg:deb/debian/x@1?arch=amd64");
  }
}
