package dev.kairos.factory.oci.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.UnsafePathException;
import dev.kairos.factory.oci.api.DigestMismatchException;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.api.artifact.ArtifactFile;
import dev.kairos.factory.oci.internal.artifact.ArtifactManifest;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.registry.RegistryClient;
import dev.kairos.factory.oci.internal.util.Pools;
import java.io.ByteArrayInputStream;
import dev.kairos.factory.oci.api.artifact.ArtifactContent;
import dev.kairos.factory.oci.api.artifact.KairosArtifactTypes;
import dev.kairos.factory.oci.api.artifact.OciArtifact;
import dev.kairos.factory.oci.api.artifact.OciArtifacts;
import dev.kairos.factory.oci.api.artifact.Provenance;
import dev.kairos.factory.oci.api.artifact.Referrer;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.testsupport.ClassRegistry;
import dev.kairos.factory.oci.testsupport.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Boot media, SBOMs and provenance as OCI artifacts in a real registry (Debian's docker-registry
 * 2.8 on 127.0.0.1, which has no referrers API): pushed with oras-java, read back by skopeo and
 * curl, pulled back byte for byte, found through the referrers tag, and refused when tampered.
 */
class OciArtifactsIT {
  private static final Duration TOOL = Duration.ofMinutes(2);
  private static final SourceDate DATE = SourceDate.of(Instant.parse("2026-01-02T03:04:05Z"));
  @RegisterExtension static final ClassRegistry REGISTRY = new ClassRegistry();
  static OciArtifacts artifacts = OciArtifacts.create().withCreated(DATE);

  /** A file of {@code size} pseudo-random bytes (incompressible, like a squashfs inside an ISO). */
  private static Path file(Path dir, String name, int size, long seed) throws Exception {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    Files.createDirectories(dir);
    return Files.write(dir.resolve(name), b);
  }

  private static String skopeoRaw(String ref) throws Exception {
    return Tools.run(TOOL, "skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref);
  }

  private static byte[] curl(String path) throws Exception {
    // An OCI manifest is served only to a client that accepts its media type.
    Process p = new ProcessBuilder("curl", "-fsS", "-H", "Accept: application/vnd.oci.image.manifest.v1+json",
        "http://" + REGISTRY.address() + path).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).as("curl " + path).isZero();
    return out;
  }

  @Test
  void isoRawDiskAndUkiRoundTripByteForByteAndReadIndependently(@TempDir Path tmp) throws Exception {
    assumeTrue(Tools.exists("skopeo") && Tools.exists("curl"), "skopeo and curl are needed");
    String repo = REGISTRY.address() + "/kairos/artifacts";
    Object[][] media = {
        {"-iso", "kairos-debian-12-core-amd64-generic-v1.0.0.iso", KairosArtifactTypes.ISO, 3 << 20},
        {"-img", "kairos-debian-12-core-amd64-generic-v1.0.0.raw", KairosArtifactTypes.RAW_DISK, 2 << 20},
        {"-uki", "kairos-debian-12-core-amd64-generic-v1.0.0.efi", KairosArtifactTypes.UKI, 1 << 20}};
    for (Object[] m : media) {
      String suffix = (String) m[0];
      String name = (String) m[1];
      String type = (String) m[2];
      Path src = file(tmp.resolve("out"), name, (Integer) m[3], name.hashCode());
      String ref = repo + ":v1.0.0" + suffix;
      OciArtifact pushed = artifacts.push(ref, type, List.of(ArtifactContent.file(src)));
      String sha = Artifact.sha256(src);

      // Independently: skopeo reads the manifest, curl the blob.
      String raw = skopeoRaw(ref);
      assertThat(Artifact.sha256(Files.writeString(tmp.resolve("manifest" + suffix), raw))).isEqualTo(pushed.digest());
      ObjectNode manifest = Json.parse(raw.getBytes(StandardCharsets.UTF_8), ref);
      assertThat(manifest.path("mediaType").asString()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
      assertThat(manifest.path("artifactType").asString()).isEqualTo(type);
      assertThat(manifest.path("config").path("mediaType").asString()).isEqualTo("application/vnd.oci.empty.v1+json");
      assertThat(manifest.path("annotations").path("org.opencontainers.image.created").asString())
          .isEqualTo("2026-01-02T03:04:05Z");
      JsonNode layer = manifest.path("layers").get(0);
      assertThat(manifest.path("layers").size()).isEqualTo(1);
      assertThat(layer.path("annotations").path("org.opencontainers.image.title").asString()).isEqualTo(name);
      assertThat(layer.path("digest").asString()).isEqualTo(sha);
      assertThat(layer.path("size").asLong()).isEqualTo(Files.size(src));
      byte[] blob = curl("/v2/kairos/artifacts/blobs/" + sha);
      assertThat(blob).isEqualTo(Files.readAllBytes(src));

      // Our pull: byte-identical, under the manifest's name.
      Path into = tmp.resolve("pulled" + suffix);
      OciArtifact pulled = artifacts.pull(ref, into);
      assertThat(pulled.digest()).isEqualTo(pushed.digest());
      assertThat(pulled.artifactType()).isEqualTo(type);
      assertThat(Files.readAllBytes(into.resolve(name))).isEqualTo(Files.readAllBytes(src));
      try (var l = Files.list(into)) {
        assertThat(l.map(p -> p.getFileName().toString())).containsExactly(name);
      }
    }
    // The same files and source date give the same manifest: pushing again changes nothing.
    Path iso = tmp.resolve("out").resolve((String) media[0][1]);
    assertThat(artifacts.push(repo + ":again", KairosArtifactTypes.ISO, List.of(ArtifactContent.file(iso))).digest())
        .isEqualTo(artifacts.describeArtifact(repo + ":v1.0.0-iso").digest());
  }

  @Test
  void referrersAreFoundThroughTheFallbackTagAndEveryAttachmentIsKept(@TempDir Path tmp) throws Exception {
    assumeTrue(Tools.exists("skopeo") && Tools.exists("curl"), "skopeo and curl are needed");
    String image = REGISTRY.address() + "/kairos/os:v1";
    // The subject: any manifest will do; an artifact is the cheapest to make.
    OciArtifact subject = artifacts.push(image, KairosArtifactTypes.FILE,
        List.of(ArtifactContent.file(file(tmp, "rootfs.bin", 4096, 1))));
    Path cdx = Files.writeString(tmp.resolve("sbom.cdx.json"), "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}");
    OciArtifact sbom = artifacts.attach(image, KairosArtifactTypes.CYCLONEDX,
        List.of(ArtifactContent.file(cdx, KairosArtifactTypes.CYCLONEDX)));
    byte[] statement = Provenance.builder().subject(REGISTRY.address() + "/kairos/os", subject.digest())
        .kairosVersion("v1.0.0").toolVersion("test").sourceDate(DATE).build().toJson();
    OciArtifact prov = artifacts.attachProvenance(image, statement, KairosArtifactTypes.IN_TOTO);
    assertThat(sbom.subject()).contains(subject.digest());

    // docker-registry 2.8 has no referrers API: both are in the sha256-<hex> tag's index.
    String tag = subject.digest().replace(':', '-');
    ObjectNode index = Json.parse(skopeoRaw(REGISTRY.address() + "/kairos/os:" + tag).getBytes(StandardCharsets.UTF_8),
        tag);
    assertThat(index.path("mediaType").asString()).isEqualTo("application/vnd.oci.image.index.v1+json");
    assertThat(index.path("manifests").valueStream().map(n -> n.path("digest").asString()))
        .containsExactly(sbom.digest(), prov.digest());
    assertThat(index.path("manifests").valueStream().map(n -> n.path("artifactType").asString()))
        .containsExactly(KairosArtifactTypes.CYCLONEDX, KairosArtifactTypes.IN_TOTO);
    // The referrer's manifest names its subject (read with curl).
    ObjectNode referrer = Json.parse(curl("/v2/kairos/os/manifests/" + sbom.digest()), "sbom");
    assertThat(referrer.path("subject").path("digest").asString()).isEqualTo(subject.digest());

    List<Referrer> found = artifacts.referrers(image);
    assertThat(found).extracting(Referrer::digest).containsExactly(sbom.digest(), prov.digest());
    assertThat(found).extracting(Referrer::foundBy).containsOnly(Referrer.FoundBy.TAG);
    assertThat(artifacts.provenance(image)).hasValueSatisfying(b -> assertThat(b).isEqualTo(statement));

    // Attaching the same again adds nothing; the index still holds both.
    artifacts.attach(image, KairosArtifactTypes.CYCLONEDX, List.of(ArtifactContent.file(cdx, KairosArtifactTypes.CYCLONEDX)));
    assertThat(artifacts.referrers(image)).hasSize(2);
    // The SBOM pulls back by its digest.
    artifacts.pull(sbom.reference(), tmp.resolve("sbom"));
    assertThat(Files.readString(tmp.resolve("sbom/sbom.cdx.json"))).isEqualTo(Files.readString(cdx));
  }

  @Test
  void aFileNameThatWouldLeaveTheDirectoryIsRefusedAndNothingIsWritten(@TempDir Path tmp) throws Exception {
    // A hostile manifest, as another tool could push it: its title climbs out of the directory.
    ImageReference ref = ImageReference.parse(REGISTRY.address() + "/kairos/hostile:v1");
    byte[] payload = "owned".getBytes(StandardCharsets.UTF_8);
    String digest = BlobStore.digest(payload);
    RegistryClient client = new RegistryClient(ref, true, null, null, Pools.shared());
    client.pushBlob(new Descriptor("application/octet-stream", digest, payload.length), () -> new ByteArrayInputStream(payload));
    client.pushBlob(new Descriptor(ArtifactManifest.EMPTY_TYPE, ArtifactManifest.EMPTY_DIGEST, 2),
        () -> new ByteArrayInputStream(ArtifactManifest.EMPTY));
    client.pushManifest(ArtifactManifest.write(KairosArtifactTypes.FILE,
        List.of(new ArtifactFile("../escaped", "application/octet-stream", digest, payload.length)), Optional.empty(),
        java.util.Map.of()), "v1");

    Path into = tmp.resolve("a/b");
    assertThatThrownBy(() -> artifacts.pull(ref.toString(), into))
        .isInstanceOf(UnsafePathException.class).hasMessageContaining("../escaped");
    try (var walk = Files.walk(tmp)) {
      assertThat(walk.filter(Files::isRegularFile)).isEmpty();
    }
  }

  @Test
  void aTamperedBlobFailsThePullNamingItsDigestAndLeavesNoFile(@TempDir Path tmp) throws Exception {
    String ref = REGISTRY.address() + "/kairos/tampered:v1-img";
    Path src = file(tmp, "disk.raw", 1 << 20, 7);
    OciArtifact pushed = artifacts.push(ref, KairosArtifactTypes.RAW_DISK, List.of(ArtifactContent.file(src)));
    String digest = pushed.files().get(0).digest();
    byte[] evil = Files.readAllBytes(src);
    evil[evil.length / 2] ^= 1;
    Files.write(REGISTRY.get().blobData(digest), evil);

    Path into = tmp.resolve("pulled");
    assertThatThrownBy(() -> artifacts.pull(ref, into))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining(digest);
    try (var l = Files.list(into)) {
      assertThat(l).isEmpty();
    }
    assertThat(artifacts.provenance(ref)).isEqualTo(Optional.empty());
  }
}
