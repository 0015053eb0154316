package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code self-image}'s usage errors, refused before anything is laid out (the build itself: {@link SelfImageIT}). */
class SelfImageCommandTest {
  @TempDir Path tmp;

  private CliRunner usage(String... args) {
    CliRunner r = CliRunner.run(args);
    assertThat(r.exit()).as(r.err()).isEqualTo(KairosFactoryCli.USAGE);
    assertThat(tmp.resolve("work")).doesNotExist();
    return r;
  }

  @Test
  void oneOfPushAndOutputIsNeeded() throws Exception {
    Files.writeString(tmp.resolve("kf.jar"), "not really a jar");
    String work = tmp.resolve("work").toString();
    String jar = tmp.resolve("kf.jar").toString();
    assertThat(usage("self-image", "--jar", jar, "--work", work).err()).contains("give --push REF or -o DIR");
    assertThat(usage("self-image", "--jar", jar, "--work", work, "--push", "127.0.0.1:5000/kf:1", "-o",
        tmp.resolve("layout").toString()).err()).contains("give --push REF or -o DIR");
  }

  @Test
  void mirrorIsForADebootstrapBaseAndABadReferenceIsNamed() throws Exception {
    Files.createDirectories(tmp.resolve("base"));
    Files.writeString(tmp.resolve("kf.jar"), "not really a jar");
    String work = tmp.resolve("work").toString();
    assertThat(usage("self-image", "--from", "dir:" + tmp.resolve("base"), "--mirror", "http://deb.debian.org/debian",
        "-o", tmp.resolve("layout").toString(), "--work", work).err()).contains("--mirror applies to a debootstrap: base");
    assertThat(usage("self-image", "--push", "Bad Ref", "--jar", tmp.resolve("kf.jar").toString(), "--work", work).err())
        .contains("--push");
    assertThat(usage("self-image", "--push", "127.0.0.1:5000/kf:1", "--jar", tmp.resolve("base").toString(),
        "--work", work).err()).contains("--jar").contains("is not a file");
  }

  @Test
  void runFromClassesItAsksForTheJar() {
    // The tests run the CLI from target/classes, not from a jar.
    assertThat(usage("self-image", "-o", tmp.resolve("layout").toString(), "--work", tmp.resolve("work").toString())
        .err()).contains("give --jar FILE");
  }
}
