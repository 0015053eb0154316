package dev.kairos.factory.oci.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.event.EventListener;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;
import dev.kairos.factory.oci.testsupport.TestImages;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A base image's {@code created} is what a build from it takes as its source date. */
class OciSourceCreatedTest {
  private static final EventListener QUIET = e -> { };

  @Test
  void theConfigsCreatedTimeIsTheBuildsDate() throws Exception {
    RootFs made = InMemoryRootFs.create();
    TestImages.populate(made, false);
    made.createDirectories(ImagePath.of("/var/lib/dpkg"));
    made.writeString(ImagePath.of("/var/lib/dpkg/status"), "Package: base-files\n");
    made.setMtime(ImagePath.of("/var/lib/dpkg/status"), Instant.parse("2020-01-01T00:00:00Z"));
    Path layout = made.root().getFileSystem().getPath("/out/layout");
    OciTarget.layout(layout, "v1").write(TestImages.built(made, Optional.empty()), QUIET);

    OciSource source = OciSource.layout(layout, "v1");
    RootFs pulled = source.materialize(made.root().getFileSystem().getPath("/pulled"), QUIET);
    // The image was written with TestImages.DATE as its date: its config says so.
    assertThat(source.created(pulled)).contains(TestImages.DATE.instant());
    assertThat(SourceDate.fromInputs(Map.of(), source.created(pulled), pulled).instant()).isEqualTo(TestImages.DATE.instant());
    // A root this source did not make has no creation time from it: the package database decides.
    assertThat(source.created(made)).isEmpty();
    assertThat(SourceDate.fromInputs(Map.of(), source.created(made), made).instant())
        .isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
  }
}
