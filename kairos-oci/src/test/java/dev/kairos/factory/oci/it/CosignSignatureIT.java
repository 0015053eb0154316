package dev.kairos.factory.oci.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.oci.api.ImageReference;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.oci.api.sign.Cosign;
import dev.kairos.factory.oci.api.sign.ImageSignature;
import dev.kairos.factory.oci.api.sign.SignatureVerificationException;
import dev.kairos.factory.oci.api.sign.SignatureVerificationException.Reason;
import dev.kairos.factory.oci.api.sign.SigningKey;
import dev.kairos.factory.oci.api.sign.VerificationKey;
import dev.kairos.factory.oci.testing.LocalRegistry;
import dev.kairos.factory.oci.testsupport.TestImages;
import dev.kairos.factory.oci.testsupport.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cosign signatures in a real registry (Debian's docker-registry on 127.0.0.1), each checked
 * without our code: skopeo reads the {@code .sig} manifest and the image digest, curl fetches the
 * payload, openssl verifies the signature over the payload's bytes with {@code cosign.pub}.
 */
class CosignSignatureIT {
  private static final Duration TOOL = Duration.ofSeconds(60);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir static Path shared;
  static LocalRegistry registry;

  @BeforeAll
  static void startRegistry() throws Exception {
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    assumeTrue(Tools.exists("skopeo") && Tools.exists("openssl") && Tools.exists("curl"), "skopeo, openssl and curl are needed");
    registry = LocalRegistry.start(shared.resolve("registry"));
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private static String push(Path dir, String ref, String marker) throws Exception {
    Files.createDirectories(dir);
    RootFs root = RootFs.at(dir);
    TestImages.populate(root, false);
    root.writeString(ImagePath.of("/etc/marker"), marker);
    return OciTarget.registry(ref).withLayers(OciTarget.Layers.SQUASHED)
        .write(TestImages.built(root, Optional.empty()), e -> { }).digest().orElseThrow();
  }

  @Test
  void signaturesReadableByOpensslAndSkopeoAndEachRefusal(@TempDir Path tmp) throws Exception {
    String repo = registry.address() + "/kairos/signed";
    String digest = push(tmp.resolve("a"), repo + ":v1", "one");
    String otherDigest = push(tmp.resolve("b"), repo + ":v2", "two");
    ImageReference ref = ImageReference.of(repo + ":v1");

    // A key pair in cosign's encrypted form, as generate-key-pair writes it, read back with its password.
    SigningKey.generate().writeCosignKeyPair(tmp.resolve("keys"), "correct horse");
    SigningKey key = SigningKey.read(tmp.resolve("keys/cosign.key"), "correct horse");
    Path pub = tmp.resolve("keys/cosign.pub");

    ImageSignature signed = Cosign.registry().sign(ref, key);
    assertThat(signed.digest()).isEqualTo(digest);
    assertThat(signed.signatureTag()).isEqualTo(repo + ":sha256-" + digest.substring(7) + ".sig");
    assertThat(signed.signatures()).isEqualTo(1);

    // Independently: skopeo's digest of the tag, skopeo's view of the .sig manifest, curl's payload, openssl's verdict.
    String inspected = JSON.readTree(Tools.run(TOOL, "skopeo", "inspect", "--tls-verify=false", "docker://" + repo + ":v1"))
        .path("Digest").asString();
    assertThat(inspected).isEqualTo(digest);
    JsonNode manifest = sigManifest(repo, digest);
    assertThat(manifest.path("mediaType").asString()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
    assertThat(manifest.path("config").path("mediaType").asString()).isEqualTo("application/vnd.oci.image.config.v1+json");
    assertThat(manifest.path("layers")).hasSize(1);
    JsonNode layer = manifest.path("layers").get(0);
    assertThat(layer.path("mediaType").asString()).isEqualTo("application/vnd.dev.cosign.simplesigning.v1+json");
    Path payload = fetchBlob(repo, layer.path("digest").asString(), tmp.resolve("payload.json"));
    assertThat("sha256:" + sha256(payload)).isEqualTo(layer.path("digest").asString());
    assertThat(opensslVerifies(pub, layer.path("annotations").path("dev.cosignproject.cosign/signature").asString(),
        payload, tmp)).isTrue();
    JsonNode p = JSON.readTree(Files.readAllBytes(payload));
    assertThat(p.path("critical").path("image").path("docker-manifest-digest").asString()).isEqualTo(inspected);
    assertThat(p.path("critical").path("type").asString()).isEqualTo("cosign container image signature");
    assertThat(p.path("critical").path("identity").path("docker-reference").asString()).isEqualTo(repo);
    assertThat(p.has("optional")).isTrue();
    JsonNode config = JSON.readTree(Files.readAllBytes(fetchBlob(repo, manifest.path("config").path("digest").asString(),
        tmp.resolve("config.json"))));
    assertThat(config.path("rootfs").path("diff_ids").get(0).asString()).isEqualTo(layer.path("digest").asString());

    // A second signature, by a plain PKCS#8 key, keeps the first; each key verifies its own.
    SigningKey.generate().writePemKeyPair(tmp.resolve("pem"));
    SigningKey second = SigningKey.read(tmp.resolve("pem/cosign.pem"), null);
    assertThat(Cosign.registry().sign(ref, second).signatures()).isEqualTo(2);
    JsonNode both = sigManifest(repo, digest);
    assertThat(both.path("layers")).hasSize(2);
    assertThat(both.path("layers").get(0)).isEqualTo(layer);
    assertThat(opensslVerifies(tmp.resolve("pem/cosign.pub"), both.path("layers").get(1).path("annotations")
        .path("dev.cosignproject.cosign/signature").asString(),
        fetchBlob(repo, both.path("layers").get(1).path("digest").asString(), tmp.resolve("p2.json")), tmp)).isTrue();
    assertThat(Cosign.registry().verify(ref, key.verificationKey())).singleElement()
        .satisfies(s -> assertThat(s.payloadDigest()).isEqualTo(layer.path("digest").asString()));
    assertThat(Cosign.registry().verify(ref, VerificationKey.read(pub))).hasSize(1);
    assertThat(Cosign.registry().verify(ref, second.verificationKey())).hasSize(1);

    // Refusal 1: another key's signatures.
    assertThatThrownBy(() -> Cosign.registry().verify(ref, SigningKey.generate().verificationKey()))
        .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OTHER_KEY))
        .hasMessageContaining("does not verify with this key");

    // Refusal 2: v1's signatures copied under v2's .sig tag: valid signatures naming another digest.
    Tools.run(TOOL, "skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--preserve-digests",
        "docker://" + repo + ":sha256-" + digest.substring(7) + ".sig",
        "docker://" + repo + ":sha256-" + otherDigest.substring(7) + ".sig");
    assertThatThrownBy(() -> Cosign.registry().verify(ImageReference.of(repo + ":v2"), key.verificationKey()))
        .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OTHER_DIGEST))
        .hasMessageContaining("names image " + digest).hasMessageContaining("not " + otherDigest);

    // Refusal 3: the payload's bytes changed in the registry's storage (same length).
    Path stored = registry.blobData(layer.path("digest").asString());
    String text = Files.readString(stored);
    Files.writeString(stored, text.replace("cosign container image signature", "cosign container image signaturE"));
    assertThatThrownBy(() -> Cosign.registry().verify(ref, key.verificationKey()))
        .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TAMPERED))
        .hasMessageContaining("payload tampered").hasMessageContaining(layer.path("digest").asString());
    // openssl agrees the changed bytes are not what was signed.
    assertThat(opensslVerifies(pub, layer.path("annotations").path("dev.cosignproject.cosign/signature").asString(),
        fetchBlob(repo, layer.path("digest").asString(), tmp.resolve("changed.json")), tmp)).isFalse();

    // An image never signed.
    String unsigned = push(tmp.resolve("c"), registry.address() + "/kairos/unsigned:v1", "three");
    assertThatThrownBy(() -> Cosign.registry().verify(ImageReference.of(registry.address() + "/kairos/unsigned:v1"),
        key.verificationKey()))
        .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_SIGNATURE))
        .hasMessageContaining(unsigned);
    // Signed by digest, as build --push --sign-key signs what it pushed.
    ImageReference pinned = ImageReference.of(registry.address() + "/kairos/unsigned:v1").withDigest(unsigned);
    assertThat(Cosign.registry().sign(pinned, key).digest()).isEqualTo(unsigned);
    assertThat(Cosign.registry().verify(ImageReference.of(registry.address() + "/kairos/unsigned:v1"),
        key.verificationKey())).hasSize(1);
    // An image that is not in the registry is not signed.
    assertThatThrownBy(() -> Cosign.registry().sign(pinned.withDigest("sha256:" + "0".repeat(64)), key))
        .hasMessageContaining("not found");
  }

  @Test
  void blobSignaturesVerifyWithOpenssl(@TempDir Path tmp) throws Exception {
    SigningKey.generate().writeCosignKeyPair(tmp.resolve("keys"), "");
    SigningKey key = SigningKey.read(tmp.resolve("keys/cosign.key"), "");
    Path file = tmp.resolve("kairos.iso.sha256");
    Files.writeString(file, "0123abcd  kairos.iso\n");
    String sig = Cosign.signBlob(file, key);
    assertThat(opensslVerifies(tmp.resolve("keys/cosign.pub"), sig, file, tmp)).isTrue();
    Cosign.verifyBlob(file, VerificationKey.read(tmp.resolve("keys/cosign.pub")), sig + "\n");
    Files.writeString(file, "0123abce  kairos.iso\n");
    assertThat(opensslVerifies(tmp.resolve("keys/cosign.pub"), sig, file, tmp)).isFalse();
    assertThatThrownBy(() -> Cosign.verifyBlob(file, key.verificationKey(), sig))
        .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OTHER_KEY));
  }

  private static JsonNode sigManifest(String repo, String digest) throws Exception {
    return JSON.readTree(Tools.run(TOOL, "skopeo", "inspect", "--raw", "--tls-verify=false",
        "docker://" + repo + ":sha256-" + digest.substring(7) + ".sig"));
  }

  private static Path fetchBlob(String repo, String digest, Path to) throws Exception {
    String path = repo.substring(repo.indexOf('/'));
    String host = repo.substring(0, repo.indexOf('/'));
    Tools.run(TOOL, "curl", "-fsSL", "-o", to.toString(), "http://" + host + "/v2" + path + "/blobs/" + digest);
    return to;
  }

  /** {@code openssl dgst -sha256 -verify PUB -signature SIG FILE} on the base64 signature, decoded. */
  static boolean opensslVerifies(Path pub, String base64, Path file, Path tmp) throws Exception {
    Path der = Files.createTempFile(tmp, "sig", ".der");
    Files.write(der, Base64.getDecoder().decode(base64));
    Process p = new ProcessBuilder("openssl", "dgst", "-sha256", "-verify", pub.toString(), "-signature",
        der.toString(), file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    assertThat(out).containsAnyOf("Verified OK", "Verification failure");
    return rc == 0 && out.contains("Verified OK");
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

}
