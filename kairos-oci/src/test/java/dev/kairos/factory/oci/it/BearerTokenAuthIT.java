package dev.kairos.factory.oci.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.KairosException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.oci.api.OciSource;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.oci.api.PlatformImage;
import dev.kairos.factory.oci.testing.LocalRegistry;
import dev.kairos.factory.oci.testsupport.TestImages;
import dev.kairos.factory.oci.testsupport.Tools;
import dev.kairos.factory.oci.testsupport.TreeDump;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push and pull through a real registry that requires bearer tokens: docker-registry with
 * {@code auth: token:}, and a token server that checks credentials and signs JWTs the registry
 * verifies against the token certificate.
 */
class BearerTokenAuthIT {
  private static final EventListener QUIET = e -> { };
  private static final String USER = "kairos";
  private static final String PASSWORD = "t0ken-s3cret";
  @TempDir static Path shared;
  static LocalRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    assumeTrue(Tools.exists("openssl"), "openssl makes the token certificate");
    registry = LocalRegistry.startWithTokenAuth(shared.resolve("registry"), USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static long tokensFor(String scope) {
    return registry.tokenServer().requests().stream()
        .filter(r -> r.status() == 200 && !r.account().isEmpty() && r.scopes().contains(scope)).count();
  }

  @Test
  void pushAndPullWithTokensFetchedWithTheCredentials(@TempDir Path tmp) throws Exception {
    RootFs src = TestImages.forArch(tmp.resolve("src"), "amd64");
    String ref = registry.address() + "/kairos/tokened:v1";
    Artifact pushed = OciTarget.registry(ref).withLayers(OciTarget.Layers.SQUASHED).withCredentials(USER, PASSWORD)
        .write(TestImages.built(src, Optional.empty()), QUIET);
    assertThat(pushed.digest()).isPresent();
    assertThat(registry.tokenServer().requests()).anySatisfy(r -> {
      assertThat(r.account()).isEqualTo(USER);
      assertThat(r.scopes()).anyMatch(s -> s.startsWith("repository:kairos/tokened:") && s.contains("push"));
    });

    RootFs pulled = OciSource.pull(ref).withCredentials(USER, PASSWORD).materialize(tmp.resolve("pulled"), QUIET);
    assertThat(TreeDump.of(pulled, false)).isEqualTo(TreeDump.of(src, false));

    // A diff on the pulled base, pushed to another repository: its base layer is mounted, with a
    // token for both repositories.
    pulled.writeString(ImagePath.of("/etc/arch"), "amd64 derived\n");
    List<KairosEvent> events = new ArrayList<>();
    String derived = registry.address() + "/kairos/tokened-derived:v1";
    OciTarget.registry(derived).withCredentials(USER, PASSWORD).write(TestImages.built(pulled, Optional.empty()), events::add);
    assertThat(events).anyMatch(e -> e instanceof KairosEvent.CacheHit c && c.what().contains("mounted"));
    assertThat(registry.tokenServer().requests()).anySatisfy(r -> assertThat(r.scopes())
        .contains("repository:kairos/tokened-derived:pull,push", "repository:kairos/tokened:pull"));
    RootFs again = OciSource.pull(derived).withCredentials(USER, PASSWORD).materialize(tmp.resolve("again"), QUIET);
    assertThat(again.readString(ImagePath.of("/etc/arch"))).isEqualTo("amd64 derived\n");
    // The registry really checks tokens: skopeo without credentials is refused.
    assertThatThrownBy(() -> Tools.run(java.time.Duration.ofMinutes(1), "skopeo", "inspect", "--tls-verify=false",
        "docker://" + ref)).hasMessageContaining("unauthorized");
  }

  @Test
  void indexPushFollowsTheChallengeAndCachesTheTokenPerScope(@TempDir Path tmp) throws Exception {
    RootFs amd = TestImages.forArch(tmp.resolve("amd"), "amd64");
    RootFs arm = TestImages.forArch(tmp.resolve("arm"), "arm64");
    String repo = registry.address() + "/kairos/tokened-index";
    String scope = "repository:kairos/tokened-index:pull,push";
    OciTarget target = OciTarget.registry(repo + ":v1").withLayers(OciTarget.Layers.SQUASHED).withCredentials(USER, PASSWORD);
    Artifact index = target.writeIndex(List.of(
        PlatformImage.of("linux/amd64", TestImages.built(amd, Optional.empty())),
        PlatformImage.of("linux/arm64", TestImages.built(arm, Optional.empty()))), QUIET);
    assertThat(index.digest()).isPresent();
    // Two images' worth of probes, uploads and manifests, yet one token per scope: cached.
    assertThat(tokensFor(scope)).isEqualTo(1);
    assertThat(tokensFor("repository:kairos/tokened-index:pull")).isEqualTo(1);

    RootFs pulled = OciSource.pull(repo + ":v1").withPlatform("linux/arm64").withCredentials(USER, PASSWORD)
        .materialize(tmp.resolve("pulled"), QUIET);
    assertThat(pulled.readString(ImagePath.of("/etc/arch"))).isEqualTo("arm64\n");
  }

  @Test
  void wrongOrMissingCredentialsFailClearly(@TempDir Path tmp) throws Exception {
    RootFs src = TestImages.forArch(tmp.resolve("src"), "amd64");
    String ref = registry.address() + "/kairos/refused:v1";
    assertThatThrownBy(() -> OciTarget.registry(ref).withLayers(OciTarget.Layers.SQUASHED)
        .withCredentials(USER, "wrong").write(TestImages.built(src, Optional.empty()), QUIET))
        .isInstanceOf(KairosException.class)
        .hasMessageContaining("token server " + registry.tokenServer().realm() + " refused the credentials of 'kairos'")
        .hasMessageContaining("HTTP 401");
    assertThat(registry.tokenServer().requests()).anyMatch(r -> r.status() == 401);
    // Anonymous clients get a token that grants nothing, and the registry says no.
    assertThatThrownBy(() -> OciTarget.registry(ref).writeIndex(List.of(
        PlatformImage.of("linux/amd64", TestImages.built(src, Optional.empty()))), QUIET))
        .isInstanceOf(KairosException.class).hasMessageContaining("HTTP 401").hasMessageContaining("anonymous access");
    assertThatThrownBy(() -> OciSource.pull(ref).materialize(tmp.resolve("anon"), QUIET))
        .isInstanceOf(KairosException.class).hasMessageContaining("HTTP 401").hasMessageContaining("anonymous access");
  }
}
