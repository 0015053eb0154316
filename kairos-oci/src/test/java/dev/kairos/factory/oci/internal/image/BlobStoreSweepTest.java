package dev.kairos.factory.oci.internal.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Partial blobs of dead runs go at the next write; those of live runs (a shared cache) stay. */
class BlobStoreSweepTest {
  @TempDir Path tmp;

  @Test
  void theFirstWriterRemovesDeadRunsPartialBlobsOnly() throws Exception {
    Path blobs = Files.createDirectories(tmp.resolve("blobs/sha256"));
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path stale = Files.writeString(blobs.resolve(".incoming.kairos-tmp-" + gone.pid() + "-123"), "partial");
    Path live = Files.writeString(blobs.resolve(".incoming.kairos-tmp-" + ProcessHandle.current().pid() + "-456"), "x");
    BlobStore store = new BlobStore(tmp);
    Descriptor d = store.put("hello".getBytes(StandardCharsets.UTF_8), "text/plain");
    assertThat(stale).doesNotExist();
    assertThat(live).exists();
    assertThat(store.has(d.digest(), 5)).isTrue();
    try (var s = Files.list(blobs)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith(".incoming")).count()).isEqualTo(1);
    }
  }

}
