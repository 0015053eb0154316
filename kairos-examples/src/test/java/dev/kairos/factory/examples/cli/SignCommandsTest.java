package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signing verbs in-process, with a plain PEM key (no password needed): blob round trip and usage errors. */
class SignCommandsTest {
  @Test
  void blobRoundTripWithAPemKeyPair(@TempDir Path tmp) throws Exception {
    Path keys = tmp.resolve("keys");
    CliRunner gen = CliRunner.run("generate-key-pair", "--pem", "-o", keys.toString(), "--json");
    assertThat(gen.exit()).as(gen.err()).isZero();
    assertThat(gen.out()).contains("cosign.pem", "cosign.pub");
    CliRunner again = CliRunner.run("generate-key-pair", "--pem", "-o", keys.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("cosign.pem");

    Path file = Files.writeString(tmp.resolve("disk.raw.sha256"), "abc  disk.raw\n");
    Path sig = tmp.resolve("disk.raw.sha256.sig");
    assertThat(CliRunner.run("sign-blob", file.toString(), "--key", keys.resolve("cosign.pem").toString(),
        "-o", sig.toString()).exit()).isZero();
    CliRunner ok = CliRunner.run("verify-blob", file.toString(), "--key", keys.resolve("cosign.pub").toString(),
        "--signature", sig.toString());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).startsWith("verified ");
    Files.writeString(sig, "not base64!");
    CliRunner bad = CliRunner.run("verify-blob", file.toString(), "--key", keys.resolve("cosign.pub").toString(),
        "--signature", sig.toString());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("not base64");
  }

  @Test
  void usageErrors(@TempDir Path tmp) {
    CliRunner noKey = CliRunner.run("sign", "127.0.0.1:5000/a/b:v1", "--key", tmp.resolve("missing.key").toString());
    assertThat(noKey.exit()).isEqualTo(KairosFactoryCli.USAGE);
    assertThat(noKey.err()).contains("missing.key");
    CliRunner badRef = CliRunner.run("verify", "Not A Ref", "--key", tmp.toString());
    assertThat(badRef.exit()).isEqualTo(KairosFactoryCli.USAGE);
    CliRunner signWithoutPush = CliRunner.run("build", "--from", "dir:" + tmp, "--version", "v1.0.0",
        "--sign-key", tmp.toString());
    assertThat(signWithoutPush.exit()).isEqualTo(KairosFactoryCli.USAGE);
    assertThat(signWithoutPush.err()).contains("--sign-key needs --push");
  }
}
