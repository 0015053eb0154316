package dev.kairos.factory.core.api.yip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.it.Scratch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The executor's cases on a real directory, as root: owners and modes land on disk for real (no
 * metadata overlay), so what the cases check is what {@code ls -ln} shows.
 */
class YipExecutorIT extends YipExecutorCases {
  private Path dir;

  @Override
  RootFs newRoot() throws IOException {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root for real owners");
    dir = Scratch.create("yip-executor-it");
    RootFs r = RootFs.at(Files.createDirectory(dir.resolve("root")));
    Assumptions.assumeTrue(r.hasNativeOwnership(), "needs native ownership");
    return r;
  }

  @AfterEach
  void tearDown() throws IOException {
    if (dir != null) {
      Scratch.delete(dir);
    }
  }

  @Test
  void ownersAndModesAreOnDisk() throws IOException {
    run("stages:\n  boot:\n  - files: [{path: /etc/real, content: x, permissions: 02750, owner: 1234, group: 4321}]\n");
    Path f = root.root().resolve("etc/real");
    assertThat(Files.getAttribute(f, "unix:uid")).isEqualTo(1234);
    assertThat(Files.getAttribute(f, "unix:gid")).isEqualTo(4321);
    assertThat((Integer) Files.getAttribute(f, "unix:mode") & 07777).isEqualTo(02750);
  }
}
