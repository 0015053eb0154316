package dev.kairos.factory.oci.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.InvalidInputException;
import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.diff.Difference;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.image.BuiltImage;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.oci.testsupport.TestImages;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two image configs compared field by field. */
class ImageConfigDiffTest {
  private static final EventListener QUIET = e -> { };

  /** The config of an image written by {@link OciTarget#layout} and read back by {@link OciSource#layout}. */
  private static String config(String hostname, String date) throws Exception {
    RootFs made = InMemoryRootFs.create();
    TestImages.populate(made, false);
    made.writeString(ImagePath.of("/etc/hostname"), hostname);
    Path layout = made.root().getFileSystem().getPath("/out/layout");
    OciTarget.layout(layout, "v1").write(BuiltImage.of(made, SourceDate.of(Instant.parse(date))), QUIET);
    RootFs pulled = OciSource.layout(layout, "v1").materialize(made.root().getFileSystem().getPath("/pulled"), QUIET);
    assertThat(OciSource.config(made)).isEmpty(); // not materialised from an image
    return OciSource.config(pulled).orElseThrow();
  }

  @Test
  void twoBuildsADayApartDifferInTheirTimesAndLayerOnly() throws Exception {
    String a = config("debian\n", "2025-01-01T00:00:00Z");
    String b = config("ubuntu\n", "2025-01-02T00:00:00Z");
    List<Difference> d = ImageConfigDiff.compare(a, b);
    assertThat(d).extracting(Difference::where).containsOnly("config");
    assertThat(d).extracting(Difference::field).contains("created", "rootfs.diff_ids[0]")
        .allMatch(f -> f.equals("created") || f.startsWith("history[") || f.startsWith("rootfs.diff_ids["));
    Difference created = d.stream().filter(x -> x.field().equals("created")).findFirst().orElseThrow();
    assertThat(created.left()).contains("2025-01-01T00:00:00Z");
    assertThat(created.right()).contains("2025-01-02T00:00:00Z");
    assertThat(ImageConfigDiff.compare(a, a)).isEmpty();
  }

  @Test
  void environmentByVariableLabelsByNameAndOneSidedFields() throws Exception {
    // as Docker Hub's debian:bookworm config has them, with a variable and a label added on one side
    String a = """
        {"architecture":"amd64","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
         "Cmd":["bash"]},"created":"2024-11-11T00:00:00Z","os":"linux",
         "rootfs":{"type":"layers","diff_ids":["sha256:aa"]}}""";
    String b = """
        {"architecture":"amd64","config":{"Env":["LANG=C.UTF-8","PATH=/usr/bin:/bin"],"Cmd":["bash","-l"],
         "Labels":{"org.opencontainers.image.version":"v1.0.0"}},"created":"2024-11-11T00:00:00Z","os":"linux",
         "rootfs":{"type":"layers","diff_ids":["sha256:aa"]}}""";
    assertThat(ImageConfigDiff.compare(a, b)).extracting(Difference::toString).containsExactly(
        Difference.of("config", "config.Cmd[1]", null, "-l").toString(),
        Difference.of("config", "config.Env[LANG]", null, "C.UTF-8").toString(),
        Difference.of("config", "config.Env[PATH]", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "/usr/bin:/bin").toString(),
        Difference.of("config", "config.Labels.org.opencontainers.image.version", null, "v1.0.0").toString());
    assertThatThrownBy(() -> ImageConfigDiff.compare(a, "[1]")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("the second config");
  }
}
