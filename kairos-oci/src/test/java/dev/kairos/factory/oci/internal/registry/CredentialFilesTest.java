package dev.kairos.factory.oci.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.oci.api.ImageReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialFilesTest {
  @TempDir
  Path home;

  private static String auth(String user, String pass) {
    return Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
  }

  private void write(Path file, String json) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, json);
  }

  @Test
  void theMostSpecificKeyOfTheFirstFileWithAnEntryWins() throws Exception {
    write(home.resolve(".config/containers/auth.json"), "{\"auths\": {"
        + "\"quay.io\": {\"auth\": \"" + auth("whole", "registry") + "\"},"
        + "\"quay.io/team\": {\"auth\": \"" + auth("team", "pw") + "\"}}}");
    write(home.resolve(".docker/config.json"), "{\"auths\": {"
        + "\"quay.io/team/app\": {\"auth\": \"" + auth("docker", "pw") + "\"},"
        + "\"https://index.docker.io/v1/\": {\"auth\": \"" + auth("hub", "s3:cret") + "\"}}}");
    Map<String, String> env = Map.of("HOME", home.toString());

    assertThat(CredentialFiles.lookup(ImageReference.parse("quay.io/team/app:v1"), env))
        .contains(new CredentialFiles.Credential("team", "pw"));
    assertThat(CredentialFiles.lookup(ImageReference.parse("quay.io/other/app:v1"), env))
        .contains(new CredentialFiles.Credential("whole", "registry"));
    assertThat(CredentialFiles.lookup(ImageReference.parse("ubuntu:24.04"), env))
        .contains(new CredentialFiles.Credential("hub", "s3:cret"));
    assertThat(CredentialFiles.lookup(ImageReference.parse("ghcr.io/x/y:v1"), env)).isEmpty();
  }

  @Test
  void registryAuthFileComesFirstAndABrokenEntryIsNamed() throws Exception {
    Path file = home.resolve("auth.json");
    write(file, "{\"auths\": {\"ghcr.io\": {\"auth\": \"bm8tY29sb24=\"}}}");
    Map<String, String> env = Map.of("HOME", home.toString(), "REGISTRY_AUTH_FILE", file.toString());

    assertThatThrownBy(() -> CredentialFiles.lookup(ImageReference.parse("ghcr.io/x/y:v1"), env))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("'ghcr.io' is not user:password");
  }

  /** A helper script on a PATH of its own that logs the server it was asked about. */
  private Path helper(String name, String body) throws Exception {
    Path bin = home.resolve("bin");
    Files.createDirectories(bin);
    Path script = bin.resolve("docker-credential-" + name);
    Files.writeString(script, "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread server\necho \"$server\" >> "
        + home.resolve("asked") + "\n" + body + "\n");
    script.toFile().setExecutable(true);
    return bin;
  }

  @Test
  void credHelpersComeBeforeInlineAuthAndCredsStoreAfterIt() throws Exception {
    Path bin = helper("pass", "case \"$server\" in\n"
        + "  ghcr.io) echo '{\"ServerURL\":\"ghcr.io\",\"Username\":\"gh\",\"Secret\":\"tok\"}';;\n"
        + "  https://index.docker.io/v1/) echo '{\"Username\":\"hub\",\"Secret\":\"pw\"}';;\n"
        + "  *) echo 'credentials not found in native keychain'; exit 1;;\nesac");
    write(home.resolve(".docker/config.json"), "{\"auths\": {"
        + "\"ghcr.io\": {\"auth\": \"" + auth("inline", "pw") + "\"},"
        + "\"quay.io\": {\"auth\": \"" + auth("quay", "pw") + "\"}},"
        + "\"credHelpers\": {\"ghcr.io\": \"pass\"}, \"credsStore\": \"pass\"}");
    Map<String, String> env = Map.of("HOME", home.toString(), "PATH", bin.toString());

    assertThat(CredentialFiles.lookup(ImageReference.parse("ghcr.io/x/y:v1"), env))
        .contains(new CredentialFiles.Credential("gh", "tok"));
    assertThat(CredentialFiles.lookup(ImageReference.parse("quay.io/x/y:v1"), env))
        .contains(new CredentialFiles.Credential("quay", "pw"));
    assertThat(CredentialFiles.lookup(ImageReference.parse("debian:12"), env))
        .contains(new CredentialFiles.Credential("hub", "pw"));
    assertThat(CredentialFiles.lookup(ImageReference.parse("127.0.0.1:5000/x:v1"), env)).isEmpty();
    assertThat(Files.readAllLines(home.resolve("asked")))
        .containsExactly("ghcr.io", "https://index.docker.io/v1/", "127.0.0.1:5000");
  }

  @Test
  void aMissingFailingOrSilentHelperIsNamed() throws Exception {
    Path bin = helper("broken", "echo 'keychain locked' >&2; exit 2");
    write(home.resolve(".docker/config.json"), "{\"credHelpers\": {\"ghcr.io\": \"broken\","
        + " \"quay.io\": \"absent\", \"docker.io\": \"../../bin/sh\"}}");
    Map<String, String> env = Map.of("HOME", home.toString(), "PATH", bin.toString());

    assertThatThrownBy(() -> CredentialFiles.lookup(ImageReference.parse("ghcr.io/x/y:v1"), env))
        .hasMessageContaining("docker-credential-broken get (for ghcr.io) exited with 2: keychain locked");
    assertThatThrownBy(() -> CredentialFiles.lookup(ImageReference.parse("quay.io/x/y:v1"), env))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("docker-credential-absent (for quay.io) is not on the PATH");
    assertThatThrownBy(() -> CredentialFiles.lookup(ImageReference.parse("debian:12"), env))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("'../../bin/sh' is not a plain name");

    helper("slow", "exec /bin/sleep 30");
    long start = System.nanoTime();
    assertThatThrownBy(() -> CredentialHelper.get("slow", "ghcr.io", home.resolve("config.json"), env,
        java.time.Duration.ofMillis(500)))
        .hasMessageContaining("docker-credential-slow get (for ghcr.io) did not answer within");
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(10));
  }
}
