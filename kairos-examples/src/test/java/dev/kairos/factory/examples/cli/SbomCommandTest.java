package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sbom} on a small dpkg root on disk: both formats, the {@code --json} keys, usage errors. */
class SbomCommandTest {
  static final JsonMapper JSON = JsonMapper.builder().build();

  static Path debianRoot(Path dir) throws Exception {
    Files.createDirectories(dir.resolve("var/lib/dpkg"));
    Files.createDirectories(dir.resolve("etc"));
    Files.writeString(dir.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    Files.writeString(dir.resolve("var/lib/dpkg/status"), """
        Package: bash
        Status: install ok installed
        Architecture: amd64
        Version: 5.2.15-2+b2
        Maintainer: Matthias Klose <doko@debian.org>
        Pre-Depends: libc6 (>= 2.36)

        Package: libc6
        Status: install ok installed
        Architecture: amd64
        Version: 2.36-9+deb12u13

        """);
    return dir;
  }

  @Test
  void writesBothFormatsAndReportsThemInJson(@TempDir Path tmp) throws Exception {
    Path root = debianRoot(tmp.resolve("root"));
    Path cdx = tmp.resolve("out/image.cdx.json");
    CliRunner r = CliRunner.run("sbom", "--root", root.toString(), "-o", cdx.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode result = JSON.readTree(r.out());
    assertThat(result.path("path").asText()).isEqualTo(cdx.toString());
    assertThat(result.path("format").asText()).isEqualTo("cyclonedx");
    assertThat(result.path("packages").asInt()).isEqualTo(2);
    JsonNode bom = JSON.readTree(Files.readString(cdx));
    assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
    assertThat(bom.path("components").get(0).path("purl").asText())
        .isEqualTo("pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12");

    Path spdx = tmp.resolve("out/image.spdx.json");
    r = CliRunner.run("sbom", "--root", root.toString(), "--format", "SPDX", "-o", spdx.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("2 packages");
    JsonNode doc = JSON.readTree(Files.readString(spdx));
    assertThat(doc.path("spdxVersion").asText()).isEqualTo("SPDX-2.3");
    assertThat(doc.path("packages")).hasSize(3); // the image and its two packages
    // nothing but the two outputs beside them (no temporary, no lock left)
    try (var files = Files.list(tmp.resolve("out"))) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("image.cdx.json", "image.spdx.json");
    }
  }

  @Test
  void anUnknownFormatIsAUsageError(@TempDir Path tmp) throws Exception {
    Path root = debianRoot(tmp.resolve("root"));
    CliRunner r = CliRunner.run("sbom", "--root", root.toString(), "--format", "swid", "-o", tmp.resolve("x").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("swid");
    assertThat(tmp.resolve("x")).doesNotExist();
  }
}
