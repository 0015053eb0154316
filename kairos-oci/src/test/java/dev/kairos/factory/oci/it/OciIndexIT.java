package dev.kairos.factory.oci.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.oci.api.OciSource;
import dev.kairos.factory.oci.api.OciTarget;
import dev.kairos.factory.oci.api.PlatformImage;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import dev.kairos.factory.oci.testing.LocalRegistry;
import dev.kairos.factory.oci.testsupport.TestImages;
import dev.kairos.factory.oci.testsupport.Tools;
import dev.kairos.factory.oci.testsupport.TreeDump;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Multi-platform indexes through a real registry, refereed by skopeo. */
class OciIndexIT {
  private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(3);
  private static final EventListener QUIET = e -> { };
  @TempDir static Path shared;
  static LocalRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(LocalRegistry.available(), "docker-registry is not installed");
    assumeTrue(Tools.exists("skopeo"), "skopeo is needed");
    registry = LocalRegistry.start(shared.resolve("registry"));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  /** The manifests of an index, platform to digest, as skopeo sees them; checks the index's own digest. */
  private static Map<String, String> inspectIndex(String ref, String expectedDigest) throws Exception {
    String raw = Tools.run(TOOL_TIMEOUT, "skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref);
    byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
    assertThat(BlobStore.digest(bytes)).isEqualTo(expectedDigest);
    ObjectNode index = Json.parse(bytes, ref);
    assertThat(index.path("mediaType").asString()).isEqualTo(MediaTypes.OCI_INDEX);
    Map<String, String> out = new TreeMap<>();
    for (JsonNode m : index.path("manifests")) {
      JsonNode p = m.path("platform");
      out.put(p.path("os").asString() + "/" + p.path("architecture").asString(), m.path("digest").asString());
    }
    return out;
  }

  @Test
  void pushedIndexIsReadByPlatformBySkopeoAndByUs(@TempDir Path tmp) throws Exception {
    RootFs amd = TestImages.forArch(tmp.resolve("amd"), "amd64");
    RootFs arm = TestImages.forArch(tmp.resolve("arm"), "arm64");
    String ref = registry.address() + "/kairos/multi:v1";
    Artifact pushed = OciTarget.registry(ref).writeIndex(List.of(
        PlatformImage.of("linux/amd64", TestImages.built(amd, Optional.empty())),
        PlatformImage.of("linux/arm64", TestImages.built(arm, Optional.empty()))), QUIET);
    Map<String, String> manifests = inspectIndex(ref, pushed.digest().orElseThrow());
    assertThat(manifests).containsOnlyKeys("linux/amd64", "linux/arm64");

    // skopeo picks the arm64 image out of our index.
    Path copied = tmp.resolve("skopeo-arm64");
    Tools.run(TOOL_TIMEOUT, "skopeo", "copy", "--src-tls-verify=false", "--override-os", "linux", "--override-arch",
        "arm64", "docker://" + ref, "oci:" + copied + ":arm");
    RootFs fromSkopeo = OciSource.layout(copied, "arm").withPlatform("linux/arm64").materialize(tmp.resolve("s"), QUIET);
    assertThat(fromSkopeo.readString(ImagePath.of("/etc/arch"))).isEqualTo("arm64\n");
    String config = Tools.run(TOOL_TIMEOUT, "skopeo", "inspect", "--config", "--tls-verify=false",
        "--override-arch", "arm64", "docker://" + ref);
    assertThat(Json.parse(config.getBytes(StandardCharsets.UTF_8), "config").path("architecture").asString())
        .isEqualTo("arm64");

    // Our pull of each platform gives that platform's root.
    for (RootFs want : List.of(amd, arm)) {
      String arch = want.readString(ImagePath.of("/etc/arch")).strip();
      RootFs pulled = OciSource.pull(ref).withPlatform("linux/" + arch).materialize(tmp.resolve("pulled-" + arch), QUIET);
      assertThat(TreeDump.of(pulled, false)).isEqualTo(TreeDump.of(want, false));
    }

    // The same images again give the same index, and send no blob.
    List<dev.kairos.factory.core.api.event.KairosEvent> again = new java.util.ArrayList<>();
    Artifact repushed = OciTarget.registry(ref).writeIndex(List.of(
        PlatformImage.of("linux/arm64", TestImages.built(arm, Optional.empty())),
        PlatformImage.of("linux/amd64", TestImages.built(amd, Optional.empty()))), again::add);
    assertThat(repushed.digest()).isEqualTo(pushed.digest());
    assertThat(again).noneMatch(e -> e instanceof dev.kairos.factory.core.api.event.KairosEvent.Progress p
        && p.task().startsWith("push "));
  }

  @Test
  void imagesPushedEarlierAreCombinedIntoAnIndex(@TempDir Path tmp) throws Exception {
    RootFs amd = TestImages.forArch(tmp.resolve("amd"), "amd64");
    RootFs arm = TestImages.forArch(tmp.resolve("arm"), "arm64");
    String repo = registry.address() + "/kairos/combined";
    Artifact a = OciTarget.registry(repo + ":v1-amd64").withPlatform("linux/amd64")
        .write(TestImages.built(amd, Optional.empty()), QUIET);
    Artifact b = OciTarget.registry(repo + ":v1-arm64").withPlatform("linux/arm64")
        .write(TestImages.built(arm, Optional.empty()), QUIET);
    Artifact index = OciTarget.registry(repo + ":v1").writeIndex(List.of(
        PlatformImage.existing("v1-arm64"), PlatformImage.existing(a.digest().orElseThrow())), QUIET);
    assertThat(inspectIndex(repo + ":v1", index.digest().orElseThrow())).containsExactly(
        Map.entry("linux/amd64", a.digest().get()), Map.entry("linux/arm64", b.digest().get()));
    RootFs pulled = OciSource.pull(repo + ":v1").withPlatform("linux/arm64").materialize(tmp.resolve("p"), QUIET);
    assertThat(pulled.readString(ImagePath.of("/etc/arch"))).isEqualTo("arm64\n");
  }
}
