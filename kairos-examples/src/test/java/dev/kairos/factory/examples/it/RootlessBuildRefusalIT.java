package dev.kairos.factory.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.it.Scratch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code build} started by a normal user the test makes with {@code useradd}, with the CLI jar in
 * a child JVM, where the user has no subordinate uid range: it says what is missing and how to
 * fix it (a range no other user's overlaps), exit 2, before it writes anything. Needs root (to make the user) and uidmap.
 */
@Timeout(600)
class RootlessBuildRefusalIT {

  static NewUser.Setup setup;

  @BeforeAll
  static void makeUser() throws Exception {
    setup = NewUser.Setup.create(Scratch.create("rootless-refusal"), "kairos-rf-");
  }

  @AfterAll
  static void removeUser() throws Exception {
    if (setup != null) {
      setup.close();
    }
  }

  @Test
  void withoutASubordinateRangeBuildSaysWhatIsMissingAndExits2BeforeWritingAnything() throws Exception {
    NewUser user = setup.user();
    long start = user.subordinateStart(Path.of("/etc/subuid"));
    NewUser.host("usermod", "--del-subuids", start + "-" + (start + 65535), user.name());
    Path work = setup.dir().resolve("home/refused");
    List<String> argv = setup.cli(List.of("build", "--from", "debootstrap:bookworm", "--version", "v1.0.0",
        "--work", work.resolve("work").toString(), "--oci-layout", work.resolve("oci").toString()));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out).contains("cannot build without root").doesNotContain("no subordinate gid range");
    // The fix names 65536 ids no user's range in /etc/subuid holds (the other test users' included).
    Matcher fix = Pattern.compile("no subordinate uid range for " + Pattern.quote(user.name())
        + " in /etc/subuid: usermod --add-subuids (\\d+)-(\\d+) " + Pattern.quote(user.name()) + " \\(as root\\)").matcher(out);
    assertThat(fix.find()).as(out).isTrue();
    long first = Long.parseLong(fix.group(1));
    long last = Long.parseLong(fix.group(2));
    assertThat(last - first + 1).isEqualTo(65536);
    for (String line : Files.readAllLines(Path.of("/etc/subuid"))) {
      String[] f = line.split(":");
      if (f.length == 3) {
        long from = Long.parseLong(f[1]);
        long to = from + Long.parseLong(f[2]) - 1;
        assertThat(last < from || first > to).as("%d-%d overlaps %s", first, last, line).isTrue();
      }
    }
    assertThat(work).doesNotExist();
  }
}
