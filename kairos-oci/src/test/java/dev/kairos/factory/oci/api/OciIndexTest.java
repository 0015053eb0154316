package dev.kairos.factory.oci.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.Artifact;
import dev.kairos.factory.core.api.image.ArtifactKind;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.oci.internal.image.BlobStore;
import dev.kairos.factory.oci.internal.image.Descriptor;
import dev.kairos.factory.oci.internal.image.ImageIndex;
import dev.kairos.factory.oci.internal.image.Json;
import dev.kairos.factory.oci.internal.image.Layouts;
import dev.kairos.factory.oci.internal.image.MediaTypes;
import dev.kairos.factory.oci.internal.image.Platform;
import dev.kairos.factory.oci.testsupport.TestImages;
import dev.kairos.factory.oci.testsupport.TreeDump;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class OciIndexTest {
  private static final EventListener QUIET = e -> { };
  private static final String A = "sha256:" + "a".repeat(64);
  private static final String B = "sha256:" + "b".repeat(64);
  private static final String C = "sha256:" + "c".repeat(64);

  /** A root whose content says which architecture it stands for. */
  private static RootFs root(String arch) throws Exception {
    RootFs root = InMemoryRootFs.create();
    TestImages.populate(root, false);
    root.writeString(ImagePath.of("/etc/arch"), arch + "\n");
    return root;
  }

  private static ObjectNode blob(Path layout, String digest) throws Exception {
    return Json.parse(Files.readAllBytes(new BlobStore(layout).path(digest)), digest);
  }

  private static ObjectNode taggedIndex(Path layout, String tag) throws Exception {
    Descriptor d = Layouts.find(layout, tag);
    assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(d.platform()).isEmpty();
    return blob(layout, d.digest());
  }

  private static Descriptor manifest(String digest, String platform) throws Exception {
    return new Descriptor(MediaTypes.OCI_MANIFEST, digest, 123).withPlatform(Platform.parse(platform));
  }

  @Test
  void indexBytesAreCanonicalAndSortedByPlatform() throws Exception {
    List<Descriptor> given = List.of(manifest(A, "linux/arm/v7"), manifest(B, "linux/arm64"), manifest(C, "linux/amd64"));
    byte[] json = ImageIndex.json(given, TestImages.DATE);
    String m = "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":123,"
        + "\"platform\":{%s}}";
    assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("{\"schemaVersion\":2,"
        + "\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        + m.formatted(C, "\"architecture\":\"amd64\",\"os\":\"linux\"") + ","
        + m.formatted(A, "\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"") + ","
        + m.formatted(B, "\"architecture\":\"arm64\",\"os\":\"linux\"") + "],"
        + "\"annotations\":{\"org.opencontainers.image.created\":\"2023-11-14T22:13:20Z\"}}");
    List<Descriptor> reversed = new ArrayList<>(given);
    java.util.Collections.reverse(reversed);
    assertThat(ImageIndex.json(reversed, TestImages.DATE)).isEqualTo(json);
  }

  @Test
  void duplicatePlatformsAreRefusedNamingThePlatform() throws Exception {
    assertThatThrownBy(() -> ImageIndex.json(List.of(manifest(A, "linux/amd64"), manifest(B, "linux/x86_64")),
        TestImages.DATE)).isInstanceOf(InvalidInputException.class).hasMessageContaining("two images for platform linux/amd64");
    assertThatThrownBy(() -> ImageIndex.json(List.of(manifest(A, "linux/arm64"), manifest(B, "linux/arm64/v8")),
        TestImages.DATE)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("linux/arm64/v8").hasMessageContaining("the same platform");
    // Different variants of arm are different platforms.
    assertThat(ImageIndex.json(List.of(manifest(A, "linux/arm/v6"), manifest(B, "linux/arm/v7")), TestImages.DATE))
        .isNotEmpty();
    assertThatThrownBy(() -> ImageIndex.json(List.of(), TestImages.DATE)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void duplicateFailsBeforeAnythingIsWritten() throws Exception {
    RootFs a = root("amd64");
    Path layout = a.root().getFileSystem().getPath("/out/layout");
    assertThatThrownBy(() -> OciTarget.layout(layout, "v1").writeIndex(List.of(
        PlatformImage.of("linux/amd64", TestImages.built(a, Optional.empty())),
        PlatformImage.of(TestImages.built(root("x"), Optional.empty()))), QUIET)) // KAIROS_TARGETARCH=amd64
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("linux/amd64");
    assertThat(layout).doesNotExist();
  }

  @Test
  void layoutIndexListsEachPlatformAndPullsTheRightImage() throws Exception {
    RootFs amd = root("amd64");
    RootFs arm = root("arm64");
    Path layout = amd.root().getFileSystem().getPath("/out/layout");
    Artifact art = OciTarget.layout(layout, "v1").writeIndex(List.of(
        PlatformImage.of("linux/arm64", TestImages.built(arm, Optional.empty())),
        PlatformImage.of("linux/amd64", TestImages.built(amd, Optional.empty()))), QUIET);
    assertThat(art.kind()).isEqualTo(ArtifactKind.OCI_LAYOUT);
    assertThat(art.digest()).contains(Layouts.find(layout, "v1").digest());
    long bytes = 0;
    try (var files = java.nio.file.Files.walk(layout)) {
      for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
        bytes += java.nio.file.Files.size(f);
      }
    }
    assertThat(art.size()).as("the layout's real size").isEqualTo(bytes).isPositive();

    ObjectNode index = taggedIndex(layout, "v1");
    assertThat(index.path("mediaType").asString()).isEqualTo(MediaTypes.OCI_INDEX);
    List<String> platforms = new ArrayList<>();
    for (JsonNode m : index.path("manifests")) {
      Descriptor d = Descriptor.parse(m, "index");
      platforms.add(d.platform().orElseThrow().toString());
      ObjectNode config = blob(layout, Descriptor.parse(blob(layout, d.digest()).path("config"), "m").digest());
      assertThat(config.path("architecture").asString()).isEqualTo(d.platform().get().architecture());
    }
    assertThat(platforms).containsExactly("linux/amd64", "linux/arm64");

    for (String arch : List.of("amd64", "arm64")) {
      RootFs pulled = OciSource.layout(layout, "v1").withPlatform("linux/" + arch)
          .materialize(amd.root().getFileSystem().getPath("/pulled-" + arch), QUIET);
      assertThat(pulled.readString(ImagePath.of("/etc/arch"))).isEqualTo(arch + "\n");
      assertThat(TreeDump.of(pulled, false)).isEqualTo(TreeDump.of(arch.equals("amd64") ? amd : arm, false));
    }
    assertThatThrownBy(() -> OciSource.layout(layout, "v1").withPlatform("linux/s390x")
        .materialize(amd.root().getFileSystem().getPath("/pulled-s390x"), QUIET))
        .hasMessageContaining("linux/amd64").hasMessageContaining("linux/arm64");
  }

  @Test
  void sameImagesGiveTheSameIndexDigestInEitherOrder() throws Exception {
    RootFs amd = root("amd64");
    RootFs arm = root("arm64");
    var fs = amd.root().getFileSystem();
    PlatformImage a = PlatformImage.of("linux/amd64", TestImages.built(amd, Optional.empty()));
    PlatformImage b = PlatformImage.of("linux/arm64/v8", TestImages.built(arm, Optional.empty()));
    Artifact one = OciTarget.layout(fs.getPath("/one"), "v1").writeIndex(List.of(a, b), QUIET);
    Artifact two = OciTarget.archive(fs.getPath("/two.tar")).writeIndex(List.of(b, a), QUIET);
    assertThat(two.kind()).isEqualTo(ArtifactKind.OCI_ARCHIVE);
    assertThat(two.digest()).isEqualTo(one.digest());
    RootFs pulled = OciSource.archive(fs.getPath("/two.tar")).withPlatform("linux/arm64")
        .materialize(fs.getPath("/from-archive"), QUIET);
    assertThat(pulled.readString(ImagePath.of("/etc/arch"))).isEqualTo("arm64\n");
  }

  @Test
  void existingImagesOfALayoutAreCombined() throws Exception {
    RootFs amd = root("amd64");
    RootFs arm = root("arm64");
    Path layout = amd.root().getFileSystem().getPath("/out/layout");
    Artifact a = OciTarget.layout(layout, "v1-amd64").write(TestImages.built(amd, Optional.empty()), QUIET);
    Artifact b = OciTarget.layout(layout, "v1-arm64").withPlatform("linux/arm64")
        .write(TestImages.built(arm, Optional.empty()), QUIET);
    OciTarget.layout(layout, "v1").writeIndex(List.of(PlatformImage.existing("v1-arm64"),
        PlatformImage.existing(a.digest().orElseThrow())), QUIET);
    ObjectNode index = taggedIndex(layout, "v1");
    Map<String, String> byPlatform = new java.util.TreeMap<>();
    for (JsonNode m : index.path("manifests")) {
      Descriptor d = Descriptor.parse(m, "index");
      byPlatform.put(d.platform().orElseThrow().toString(), d.digest());
    }
    assertThat(byPlatform).containsExactly(Map.entry("linux/amd64", a.digest().get()),
        Map.entry("linux/arm64", b.digest().get()));
    // The single-image tags are still there.
    assertThat(Layouts.index(layout).path("manifests").size()).isEqualTo(3);

    // An index cannot be an entry of an index; an archive has nothing existing.
    assertThatThrownBy(() -> OciTarget.layout(layout, "v2").writeIndex(List.of(PlatformImage.existing("v1")), QUIET))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("image index");
    assertThatThrownBy(() -> OciTarget.layout(layout, "v2").writeIndex(List.of(PlatformImage.existing("nope")), QUIET))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("'nope'");
    assertThatThrownBy(() -> OciTarget.archive(layout.resolveSibling("x.tar"))
        .writeIndex(List.of(PlatformImage.existing("v1-arm64")), QUIET)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OciTarget.layout(layout, "v2").writeIndex(List.of(), QUIET))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PlatformImage.existing("sha256:xyz")).isInstanceOf(IllegalArgumentException.class);
  }
}
