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
}
