package dev.kairos.factory.distros.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.CommandFailedException;
import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The host's debootstrap, run by {@link Bootstrap}, against Debian's mirror. */
class BootstrapIT {
  private Path scratch;

  @BeforeEach
  void setUp() throws Exception {
    DebianFixture.assumeUsable();
    scratch = Scratch.create("bootstrap-it-");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (scratch != null) {
      assertThat(Scratch.delete(scratch)).isEmpty();
    }
  }

  @Test
  void debootstrapsBookwormMinbaseThatIsDetected() throws Exception {
    AtomicInteger lines = new AtomicInteger();
    RootFs root = Bootstrap.debootstrap("bookworm").mirror(DebianFixture.MIRROR).variant("minbase")
        .timeout(Duration.ofMinutes(20))
        .materialize(scratch.resolve("root"), e -> {
          if (e instanceof KairosEvent.CommandOutput) {
            lines.incrementAndGet();
          }
        });
    assertThat(lines.get()).as("debootstrap output streamed as events").isGreaterThan(10);
    DistroInfo info = Distros.detect(root);
    assertThat(info.distro()).isEqualTo("debian");
    assertThat(info.version()).isEqualTo("12");
    assertThat(root.readString(ImagePath.of("/etc/apt/sources.list"))).contains("bookworm");
    // The same tree as a normal user's bootstrap, which cannot make device nodes: /dev is empty.
    assertThat(scratch.resolve("root/dev")).isEmptyDirectory();
    assertThat(scratch.resolve("root/etc/shadow")).exists();
  }

  @Test
  void failuresAndTimeoutsCarryTheOutput() {
    assertThatThrownBy(() -> Bootstrap.debootstrap("no-such-suite").mirror(DebianFixture.MIRROR)
            .timeout(Duration.ofMinutes(2)).materialize(scratch.resolve("bad"), e -> { }))
        .isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("no-such-suite");
    assertThatThrownBy(() -> Bootstrap.debootstrap("bookworm").mirror(DebianFixture.MIRROR)
            .timeout(Duration.ofMillis(300)).materialize(scratch.resolve("slow"), e -> { }))
        .isInstanceOfSatisfying(CommandFailedException.class, e -> assertThat(e.timedOut()).isTrue());
  }
}
