package dev.kairos.factory.oci.api.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class DsseTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final byte[] STATEMENT = "{\"_type\":\"https://in-toto.io/Statement/v1\"}".getBytes(StandardCharsets.UTF_8);

  private final SigningKey key = SigningKey.generate();

  @Test
  void signedEnvelopeVerifiesAndGivesThePayloadBack() throws Exception {
    byte[] env = Dsse.sign(STATEMENT, Dsse.IN_TOTO_PAYLOAD, key);
    assertThat(Dsse.verify(env, key.verificationKey(), "env.json")).isEqualTo(STATEMENT);
    assertThat(JSON.readTree(env).path("payloadType").asString()).isEqualTo("application/vnd.in-toto+json");
  }

  @Test
  void opensslAcceptsTheSignatureOverThePreAuthenticationEncoding(@TempDir Path dir) throws Exception {
    var env = JSON.readTree(Dsse.sign(STATEMENT, Dsse.IN_TOTO_PAYLOAD, key));
    // The encoding written out here by hand, not by the code under test.
    String pae = "DSSEv1 28 application/vnd.in-toto+json " + STATEMENT.length + " " + new String(STATEMENT, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("pae"), pae);
    Files.write(dir.resolve("sig"), Base64.getDecoder().decode(env.path("signatures").get(0).path("sig").asString()));
    Files.writeString(dir.resolve("pub.pem"), key.verificationKey().pem());
    Process p = new ProcessBuilder("openssl", "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig", "pae")
        .directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("Verified OK");
  }

  @Test
  void anotherKeyAChangedPayloadOrTypeAreRefused() throws Exception {
    byte[] env = Dsse.sign(STATEMENT, Dsse.IN_TOTO_PAYLOAD, key);
    assertThatThrownBy(() -> Dsse.verify(env, SigningKey.generate().verificationKey(), "env.json"))
        .isInstanceOfSatisfying(SignatureVerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(SignatureVerificationException.Reason.OTHER_KEY))
        .hasMessageStartingWith("env.json: ");
    ObjectNode changed = (ObjectNode) JSON.readTree(env);
    changed.put("payload", Base64.getEncoder().encodeToString("{}".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> Dsse.verify(JSON.writeValueAsBytes(changed), key.verificationKey(), "env.json"))
        .isInstanceOf(SignatureVerificationException.class);
    ObjectNode retyped = (ObjectNode) JSON.readTree(env);
    retyped.put("payloadType", "text/plain");
    assertThatThrownBy(() -> Dsse.verify(JSON.writeValueAsBytes(retyped), key.verificationKey(), "env.json"))
        .isInstanceOf(SignatureVerificationException.class);
  }

  @Test
  void notAnEnvelopeIsBadInputNamingTheSource() {
    assertThatThrownBy(() -> Dsse.verify("[1]".getBytes(StandardCharsets.UTF_8), key.verificationKey(), "x.json"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("x.json").hasMessageContaining("DSSE");
    assertThatThrownBy(() -> Dsse.verify("{\"payload\":\"%%\",\"payloadType\":\"t\"}".getBytes(StandardCharsets.UTF_8),
        key.verificationKey(), "x.json")).isInstanceOf(InvalidInputException.class);
  }
}
