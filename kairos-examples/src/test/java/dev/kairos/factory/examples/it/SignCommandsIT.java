package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.examples.testsupport.TestSupport;
import dev.kairos.factory.examples.testsupport.TestSupport.Run;
import dev.kairos.factory.oci.testing.LocalRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The signing verbs as a user runs them (the CLI jar in a child JVM, COSIGN_PASSWORD in its
 * environment) against Debian's docker-registry on 127.0.0.1; what they write is checked with
 * skopeo, curl and openssl, not with our code.
 */
class SignCommandsIT {
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final Map<String, String> PASSWORD = Map.of("COSIGN_PASSWORD", "pass phrase");

  @TempDir Path tmp;
  Path root;

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    assumeTrue(Files.isRegularFile(TestSupport.JAR), "the CLI jar is built by package");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")) && Files.isExecutable(Path.of("/usr/bin/openssl")),
        "skopeo and openssl are needed");
    root = TestSupport.releasedRoot(tmp.resolve("root"));
  }

  private Run cli(Map<String, String> env, String... args) throws Exception {
    return TestSupport.run(tmp, List.of("COSIGN_PASSWORD"), env, TestSupport.cliCommand(args));
  }

  private Run tool(String... args) throws Exception {
    return TestSupport.run(tmp, List.of("COSIGN_PASSWORD"), Map.of(), List.of(args));
  }

  @Test
  void generateSignVerifyWithCosignKeysCheckedByOpenssl() throws Exception {
    Path keys = tmp.resolve("keys");
    Run gen = cli(PASSWORD, "generate-key-pair", "-o", keys.toString());
    assertThat(gen.exit()).as(gen.err()).isZero();
    assertThat(Files.readString(keys.resolve("cosign.key"))).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("cosign.key")))).isEqualTo("rw-------");
    Run noPassword = cli(Map.of(), "generate-key-pair", "-o", tmp.resolve("nope").toString());
    assertThat(noPassword.exit()).isEqualTo(2);
    assertThat(noPassword.err()).contains("COSIGN_PASSWORD");
    Path other = tmp.resolve("other");
    assertThat(cli(Map.of(), "generate-key-pair", "--pem", "-o", other.toString()).exit()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(other.resolve("cosign.pem")))).isEqualTo("rw-------");

    try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"))) {
      String repo = registry.address() + "/kairos/cli-signed";
      Run push = cli(Map.of(), "push", "--root", root.toString(), "--base", "dir:" + root, repo + ":v1", "--json");
      assertThat(push.exit()).as(push.err()).isZero();
      Run sign = cli(PASSWORD, "sign", repo + ":v1", "--key", keys.resolve("cosign.key").toString(), "--json");
      assertThat(sign.exit()).as(sign.err()).isZero();
      JsonNode signed = JSON.readTree(sign.out());
      String digest = signed.get("digest").asString();

      // Independently of our code: skopeo's digest, the .sig manifest, the payload, openssl's verdict.
      Run inspect = tool("skopeo", "inspect", "--tls-verify=false", "docker://" + repo + ":v1");
      assertThat(JSON.readTree(inspect.out()).get("Digest").asString()).isEqualTo(digest);
      Run raw = tool("skopeo", "inspect", "--raw", "--tls-verify=false",
          "docker://" + repo + ":sha256-" + digest.substring(7) + ".sig");
      assertThat(raw.exit()).as(raw.err()).isZero();
      JsonNode layer = JSON.readTree(raw.out()).get("layers").get(0);
      Path payload = tmp.resolve("payload.json");
      Run curl = tool("curl", "-fsSL", "-o", payload.toString(),
          "http://" + registry.address() + "/v2/kairos/cli-signed/blobs/" + layer.get("digest").asString());
      assertThat(curl.exit()).as(curl.err()).isZero();
      assertThat("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(payload))))
          .isEqualTo(layer.get("digest").asString());
      assertThat(JSON.readTree(Files.readAllBytes(payload)).at("/critical/image/docker-manifest-digest").asString())
          .isEqualTo(digest);
      Path der = tmp.resolve("sig.der");
      Files.write(der, Base64.getDecoder().decode(layer.get("annotations").get("dev.cosignproject.cosign/signature").asString()));
      Run openssl = tool("openssl", "dgst", "-sha256", "-verify", keys.resolve("cosign.pub").toString(), "-signature",
          der.toString(), payload.toString());
      assertThat(openssl.exit()).as(openssl.out() + openssl.err()).isZero();
      assertThat(openssl.out()).contains("Verified OK");

      Run verify = cli(Map.of(), "verify", repo + ":v1", "--key", keys.resolve("cosign.pub").toString());
      assertThat(verify.exit()).as(verify.err()).isZero();
      assertThat(verify.out()).startsWith("verified " + repo + "@" + digest);
      Run refused = cli(Map.of(), "verify", repo + ":v1", "--key", other.resolve("cosign.pub").toString());
      assertThat(refused.exit()).isEqualTo(1);
      assertThat(refused.err()).contains("does not verify with this key");
      Run wrongPassword = cli(Map.of("COSIGN_PASSWORD", "wrong"), "sign", repo + ":v1", "--key",
          keys.resolve("cosign.key").toString());
      assertThat(wrongPassword.exit()).isEqualTo(1);
      assertThat(wrongPassword.err()).contains("wrong password");
    }
  }

  @Test
  void signBlobWritesWhatOpensslVerifies() throws Exception {
    Path keys = tmp.resolve("keys");
    assertThat(cli(PASSWORD, "generate-key-pair", "-o", keys.toString()).exit()).isZero();
    Path sums = tmp.resolve("kairos.iso.sha256");
    Files.writeString(sums, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  kairos.iso\n");
    Path sig = tmp.resolve("kairos.iso.sha256.sig");
    Run sign = cli(PASSWORD, "sign-blob", sums.toString(), "--key", keys.resolve("cosign.key").toString(), "-o", sig.toString());
    assertThat(sign.exit()).as(sign.err()).isZero();
    Path der = tmp.resolve("sig.der");
    Files.write(der, Base64.getDecoder().decode(Files.readString(sig, StandardCharsets.US_ASCII).strip()));
    Run openssl = tool("openssl", "dgst", "-sha256", "-verify", keys.resolve("cosign.pub").toString(), "-signature",
        der.toString(), sums.toString());
    assertThat(openssl.out()).contains("Verified OK");
    Run verify = cli(Map.of(), "verify-blob", sums.toString(), "--key", keys.resolve("cosign.pub").toString(),
        "--signature", sig.toString());
    assertThat(verify.exit()).as(verify.err()).isZero();
    Files.writeString(sums, "changed\n", java.nio.file.StandardOpenOption.APPEND);
    Run refused = cli(Map.of(), "verify-blob", sums.toString(), "--key", keys.resolve("cosign.pub").toString(),
        "--signature", sig.toString());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("does not verify");
  }
}
