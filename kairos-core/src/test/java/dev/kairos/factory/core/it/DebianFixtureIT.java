package dev.kairos.factory.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.fs.FileMetadata;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(1800)
class DebianFixtureIT {
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    DebianFixture.assumeUsable();
    dir = Scratch.create("debian-fixture-it");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (dir != null) {
      assertThat(Scratch.delete(dir)).isEmpty();
    }
  }

  @Test
  void minbaseIsDebian12WithNumericOwnersKept() throws Exception {
    long t0 = System.nanoTime();
    Path tarball = DebianFixture.minbaseTarball();
    long t1 = System.nanoTime();
    RootFs root = DebianFixture.extract(tarball, dir.resolve("root"));
    long t2 = System.nanoTime();
    System.out.printf("DebianFixture.minbaseTarball: %d ms, extract: %d ms%n", ms(t1 - t0), ms(t2 - t1));

    assertThat(root.readString(ImagePath.of("/etc/debian_version"))).startsWith("12.");
    assertThat(root.readSymlink(ImagePath.of("/bin"))).isEqualTo("usr/bin");
    // /var/mail is root:mail (gid 8) 2775 in Debian: the setgid bit and a non-root group survive.
    FileMetadata mail = root.metadata(ImagePath.of("/var/mail"));
    assertThat(mail.gid()).isEqualTo(8);
    assertThat(mail.mode()).isEqualTo(02775);
    assertThat(root.metadata(ImagePath.of("/usr/bin/passwd")).mode()).isEqualTo(04755);
    assertThat(root.exists(ImagePath.of("/usr/bin/apt-get"))).isTrue();
    assertThat(root.exists(ImagePath.of("/boot/vmlinuz"))).isFalse();
  }

  @Test
  void withKernelHasAKernelModulesSystemdAndDracutButNoAptLists() throws Exception {
    long t0 = System.nanoTime();
    Path tarball = DebianFixture.withKernelTarball();
    long t1 = System.nanoTime();
    RootFs root = DebianFixture.extract(tarball, dir.resolve("root"));
    System.out.printf("DebianFixture.withKernelTarball: %d ms, extract: %d ms%n", ms(t1 - t0), ms(System.nanoTime() - t1));

    List<String> boot = root.list(ImagePath.of("/boot"));
    assertThat(boot).anyMatch(n -> n.startsWith("vmlinuz-") && n.endsWith("-amd64"));
    String kver = boot.stream().filter(n -> n.startsWith("vmlinuz-")).findFirst().orElseThrow().substring("vmlinuz-".length());
    assertThat(root.isDirectory(ImagePath.of("/usr/lib/modules/" + kver + "/kernel"))).isTrue();
    assertThat(root.isRegularFile(ImagePath.of("/usr/bin/dracut"))).isTrue();
    assertThat(root.isDirectory(ImagePath.of("/usr/lib/dracut/modules.d/90dmsquash-live"))).isTrue();
    assertThat(root.readSymlink(ImagePath.of("/sbin/init"))).contains("systemd");
    assertThat(root.exists(ImagePath.of("/usr/sbin/policy-rc.d"))).as("the runner's policy-rc.d is gone").isFalse();
    List<String> lists = new ArrayList<>(root.list(ImagePath.of("/var/lib/apt/lists")));
    lists.removeIf(n -> n.equals("partial") || n.equals("lock") || n.equals("auxfiles"));
    assertThat(lists).isEmpty();
    assertThat(root.metadata(ImagePath.of("/boot/vmlinuz-" + kver)).type()).isEqualTo(FileType.REGULAR);
  }

  private static long ms(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }
}
