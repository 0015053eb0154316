package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.api.artifact.OciArtifact;
import dev.kairos.factory.oci.api.artifact.OciArtifacts;
import dev.kairos.factory.examples.testsupport.TestSupport;
import dev.kairos.factory.oci.testing.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code artifact} verbs and what {@code build --push} publishes beside the image (boot media
 * as {@code REF-iso}/{@code -img}/{@code -uki}, SBOMs and provenance as referrers), against
 * Debian's docker-registry on 127.0.0.1, which has no referrers API.
 */
class ArtifactCommandIT {
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final SourceDate DATE = SourceDate.of(Instant.parse("2026-03-04T05:06:07Z"));
  @TempDir static Path shared;
  static LocalRegistry registry;
  static String image;
  static String imageDigest;

  @BeforeAll
  static void startRegistryAndPushAnImage() throws Exception {
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    registry = LocalRegistry.start(shared.resolve("registry"));
    Path root = Files.createDirectories(shared.resolve("root/etc")).getParent();
    Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    Files.writeString(root.resolve("etc/kairos-release"), "KAIROS_TARGETARCH=\"amd64\"\nKAIROS_VERSION=\"v1.0.0\"\n");
    image = registry.address() + "/kairos/debian:v1.0.0";
    CliRunner push = CliRunner.run("push", "--root", root.toString(), "--base", "dir:" + root, image, "--json");
    assertThat(push.exit()).as(push.err()).isZero();
    imageDigest = JSON.readTree(push.out()).get("digest").asString();
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private static Path file(Path dir, String name, int size) throws Exception {
    byte[] b = new byte[size];
    new Random(name.hashCode()).nextBytes(b);
    return Files.write(Files.createDirectories(dir).resolve(name), b);
  }

  @Test
  void pushThenPullGivesTheSameFilesAndListShowsTheReferrers(@TempDir Path tmp) throws Exception {
    Path iso = file(tmp.resolve("out"), "kairos.iso", 1 << 20);
    Path notes = Files.writeString(tmp.resolve("out/notes.txt"), "built by the test\n");
    String ref = registry.address() + "/kairos/debian:v1.0.0-bundle";
    CliRunner push = CliRunner.run("artifact", "push", iso.toString(), notes.toString(), ref, "--json");
    assertThat(push.exit()).as(push.err()).isZero();
    JsonNode pushed = JSON.readTree(push.out());
    assertThat(pushed.get("artifactType").asString()).isEqualTo("application/vnd.kairos.iso.v1");
    assertThat(pushed.get("files").valueStream().map(f -> f.get("name").asString()))
        .containsExactly("kairos.iso", "notes.txt");

    CliRunner pull = CliRunner.run("artifact", "pull", ref, "--to", tmp.resolve("in").toString());
    assertThat(pull.exit()).as(pull.err()).isZero();
    assertThat(Files.readAllBytes(tmp.resolve("in/kairos.iso"))).isEqualTo(Files.readAllBytes(iso));
    assertThat(tmp.resolve("in/notes.txt")).hasSameTextualContentAs(notes);

    CliRunner typed = CliRunner.run("artifact", "push", notes.toString(), ref + "-notes", "--artifact-type",
        "application/vnd.example.notes.v1", "--json");
    assertThat(typed.exit()).as(typed.err()).isZero();
    assertThat(JSON.readTree(typed.out()).get("artifactType").asString()).isEqualTo("application/vnd.example.notes.v1");

    CliRunner missing = CliRunner.run("artifact", "pull", registry.address() + "/kairos/debian:nope", "--to",
        tmp.resolve("none").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("kairos/debian:nope");
  }

  @Test
  void buildPushPublishesBootMediaSbomsAndProvenance(@TempDir Path tmp) throws Exception {
    OciArtifacts artifacts = OciArtifacts.create().withCreated(DATE);
    Path out = tmp.resolve("out");
    List<RegistryPublish.Medium> media = RegistryPublish.media(file(out, "kairos.iso", 3 << 20),
        file(out, "kairos.raw", 2 << 20), file(out, "kairos.efi", 1 << 20));
    List<OciArtifact> pushed = RegistryPublish.pushMedia(artifacts, image, media);
    assertThat(pushed).extracting(OciArtifact::artifactType).containsExactly("application/vnd.kairos.iso.v1",
        "application/vnd.kairos.disk.raw.v1", "application/vnd.kairos.uki.v1");
    for (String[] kind : new String[][] {{"-iso", "kairos.iso"}, {"-img", "kairos.raw"}, {"-uki", "kairos.efi"}}) {
      Path into = tmp.resolve("pulled" + kind[0]);
      CliRunner pull = CliRunner.run("artifact", "pull", image + kind[0], "--to", into.toString());
      assertThat(pull.exit()).as(pull.err()).isZero();
      assertThat(Files.readAllBytes(into.resolve(kind[1]))).isEqualTo(Files.readAllBytes(out.resolve(kind[1])));
    }

    // SBOMs and provenance hang off the image, pinned to its digest.
    ImageReference pinned = ImageReference.parse(registry.address() + "/kairos/debian@" + imageDigest);
    Path cdx = Files.writeString(tmp.resolve("sbom.cdx.json"), "{\"bomFormat\":\"CycloneDX\"}");
    Path spdx = Files.writeString(tmp.resolve("sbom.spdx.json"), "{\"spdxVersion\":\"SPDX-2.3\"}");
    RegistryPublish.attachSboms(artifacts, pinned.toString(), List.of(cdx, spdx));
    InitOptions options = new InitOptions();
    options.version = "v1.0.0";
    options.model = "generic";
    options.stage = "all";
    RegistryPublish.Facts facts = new RegistryPublish.Facts(new SourceSpec.Debootstrap("bookworm",
        java.util.Optional.empty()), options, Map.of("k3s", new SourceSpec.Registry(image + "-uki")), DATE, "0.1.0-test");
    byte[] statement = RegistryPublish.provenance(artifacts, pinned, facts).toJson();
    assertThat(RegistryPublish.provenance(artifacts, pinned, facts).toJson()).as("reproducible").isEqualTo(statement);
    artifacts.attachProvenance(pinned.toString(), statement, "application/vnd.in-toto+json");

    CliRunner list = CliRunner.run("artifact", "list", image, "--json");
    assertThat(list.exit()).as(list.err()).isZero();
    JsonNode referrers = JSON.readTree(list.out()).get("referrers");
    assertThat(referrers.valueStream().map(r -> r.get("artifactType").asString())).containsExactly(
        "application/vnd.cyclonedx+json", "application/spdx+json", "application/vnd.in-toto+json");
    assertThat(referrers.valueStream().map(r -> r.get("foundBy").asString())).containsOnly("tag");

    CliRunner show = CliRunner.run("artifact", "provenance", image);
    assertThat(show.exit()).as(show.err()).isZero();
    JsonNode s = JSON.readTree(show.out());
    assertThat(s.get("_type").asString()).isEqualTo("https://in-toto.io/Statement/v1");
    assertThat("sha256:" + s.at("/subject/0/digest/sha256").asString()).isEqualTo(imageDigest);
    assertThat(s.get("predicateType").asString()).isEqualTo("https://slsa.dev/provenance/v1");
    JsonNode def = s.at("/predicate/buildDefinition");
    assertThat(def.at("/externalParameters/kairosVersion").asString()).isEqualTo("v1.0.0");
    assertThat(def.at("/externalParameters/bootstrapSuite").asString()).isEqualTo("bookworm");
    assertThat(def.at("/externalParameters/bootstrapMirror").asString()).isEqualTo("http://deb.debian.org/debian");
    assertThat(def.at("/externalParameters/options/model").asString()).isEqualTo("generic");
    assertThat(def.at("/internalParameters/sourceDate").asString()).isEqualTo("2026-03-04T05:06:07Z");
    JsonNode provider = def.get("resolvedDependencies").valueStream()
        .filter(d -> d.get("name").asString().equals("provider-k3s")).findFirst().orElseThrow();
    assertThat("sha256:" + provider.at("/digest/sha256").asString()).isEqualTo(pushed.get(2).digest());
    assertThat(s.at("/predicate/runDetails/builder/version/kairos-factory").asString()).isEqualTo("0.1.0-test");
  }

  @Test
  void pushArtifactsWithoutPushIsAUsageError(@TempDir Path tmp) {
    CliRunner r = CliRunner.run("build", "--from", "dir:" + tmp, "-v", "v1.0.0", "--push-artifacts",
        "--iso", tmp.resolve("never.iso").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--push-artifacts needs --push REF");
  }

  @Test
  void buildPushWithASignKeySignsTheImageAndItsProvenance(@TempDir Path tmp) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root/etc")).getParent();
    Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    dev.kairos.factory.oci.api.sign.SigningKey.generate().writePemKeyPair(keys);
    String ref = registry.address() + "/kairos/signed:v1.0.0";
    // Every step that installs or needs packages skipped: the image is the root as given.
    CliRunner build = CliRunner.run("build", "--from", "dir:" + root, "--version", "v1.0.0", "--skip-step",
        String.join(",", TestSupport.QUICK_SKIPS),
        "--push", ref, "--sign-key", keys.resolve("cosign.pem").toString(), "--work", tmp.resolve("w").toString(),
        "--json");
    assertThat(build.exit()).as(build.err()).isZero();
    JsonNode built = JSON.readTree(build.out());
    assertThat(built.get("registryArtifacts").valueStream().map(a -> a.get("role").asString())).contains("provenance");

    CliRunner verify = CliRunner.run("verify", ref, "--key", keys.resolve("cosign.pub").toString(), "--provenance",
        "--json");
    assertThat(verify.exit()).as(verify.err()).isZero();
    JsonNode verified = JSON.readTree(verify.out());
    JsonNode statement = verified.get("provenance");
    assertThat(statement.get("_type").asString()).isEqualTo("https://in-toto.io/Statement/v1");
    assertThat(statement.get("subject").get(0).get("digest").get("sha256").asString())
        .isEqualTo(verified.get("digest").asString().substring("sha256:".length()));

    Path other = Files.createDirectories(tmp.resolve("other"));
    dev.kairos.factory.oci.api.sign.SigningKey.generate().writePemKeyPair(other);
    CliRunner refused = CliRunner.run("verify", ref, "--key", other.resolve("cosign.pub").toString(), "--provenance");
    assertThat(refused.exit()).isEqualTo(1);
  }
}
