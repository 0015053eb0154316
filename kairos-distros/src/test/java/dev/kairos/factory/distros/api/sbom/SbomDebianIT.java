package dev.kairos.factory.distros.api.sbom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SBOM of the kairosified Debian bookworm (made and cached by {@code KairosifyDebianIT}):
 * its packages are exactly what {@code dpkg-query -W} lists over the same database (same count,
 * names, versions, architectures), both formats pass their validators, and two reads give the
 * same bytes.
 */
class SbomDebianIT {
  static final String KAIROSIFIED = "debian-bookworm-kairos-v1.tar.zst";
  Path scratch;

  @BeforeEach
  void setUp() throws IOException {
    DebianFixture.assumeUsable();
    assumeThat(DebianFixture.cacheDir().resolve(KAIROSIFIED)).as("made by KairosifyDebianIT").exists();
    scratch = Scratch.create("sbom-");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (scratch != null) {
      assertThat(Scratch.delete(scratch)).as("mounts left behind").isEmpty();
    }
  }

  @Test
  void theComponentSetIsWhatDpkgQueryListsAndBothFormatsValidate() throws Exception {
    RootFs root = DebianFixture.extract(DebianFixture.cacheDir().resolve(KAIROSIFIED), scratch.resolve("root"));
    Instant date = Instant.parse("2026-01-01T00:00:00Z");

    long t0 = System.nanoTime();
    Sbom sbom = Sbom.read(root, date);
    byte[] cdx = sbom.toBytes(SbomFormat.CYCLONEDX);
    byte[] spdx = sbom.toBytes(SbomFormat.SPDX);
    long ms = (System.nanoTime() - t0) / 1_000_000;

    Process p = new ProcessBuilder("dpkg-query", "--admindir=" + root.root().resolve("var/lib/dpkg"), "-W", "-f",
        "${Package} ${Version} ${Architecture}\\n").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().sorted().toList();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(expected).hasSizeGreaterThan(300);

    List<String> ours = sbom.packages().stream().map(c -> c.name() + " " + c.version() + " " + c.arch()).sorted().toList();
    assertThat(ours).containsExactlyElementsOf(expected);
    // Kairos (from kairos-release) and the kernel (from /lib/modules) beside the packages
    assertThat(sbom.components()).anyMatch(c -> c.kind() == SbomComponent.Kind.KAIROS && c.version().equals("v1.0.0"));
    assertThat(sbom.components()).anyMatch(c -> c.kind() == SbomComponent.Kind.KERNEL && c.version().endsWith("-amd64"));
    assertThat(sbom.packages()).filteredOn(c -> c.name().equals("bash")).singleElement()
        .satisfies(c -> assertThat(c.purl()).matches("pkg:deb/debian/bash@5\\.2\\.15-2%2Bb\\d+\\?arch=amd64&distro=debian-12"))
        .satisfies(c -> assertThat(c.dependsOn()).isNotEmpty());

    JsonNode c = SbomFormatsCheck.cycloneDx(cdx);
    List<String> names = new ArrayList<>();
    c.path("components").forEach(n -> {
      if (n.path("purl").asText().startsWith("pkg:deb/")) {
        names.add(n.path("name").asText() + " " + n.path("version").asText());
      }
    });
    assertThat(names).hasSameSizeAs(expected);
    JsonNode s = SbomFormatsCheck.spdx(spdx);
    assertThat(s.path("packages")).hasSize(sbom.components().size() + 1);

    assertThat(Sbom.read(root, date).toBytes(SbomFormat.CYCLONEDX)).isEqualTo(cdx);
    assertThat(Sbom.read(root, date).toBytes(SbomFormat.SPDX)).isEqualTo(spdx);
    System.out.printf("SbomDebianIT: %d packages, read + both formats in %d ms%n", expected.size(), ms);
  }
}
