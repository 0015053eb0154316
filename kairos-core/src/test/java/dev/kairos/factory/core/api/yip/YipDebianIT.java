package dev.kairos.factory.core.api.yip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.SourceDate;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * yip applied to a real Debian 12 root: {@code if:} and {@code commands} run for real through the
 * chroot runner, and Debian's own tools check what the executor wrote: {@code pwck}/{@code grpck}
 * the account files, glibc's {@code crypt} (through perl) the SHA-512 password hash,
 * {@code getent} and {@code id} the new user.
 */
class YipDebianIT {
  private Path dir;
  private RootFs root;

  @BeforeEach
  void setUp() throws Exception {
    DebianFixture.assumeUsable();
    dir = Scratch.create("yip-debian-it");
    root = DebianFixture.extract(DebianFixture.minbaseTarball(), dir.resolve("root"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (dir != null) {
      assertThat(Scratch.delete(dir)).as("mounts leaked below the test root").isEmpty();
    }
  }

  private String read(String p) throws Exception {
    return root.readString(ImagePath.of(p));
  }

  @Test
  void commandsIfAndUsersInDebian() throws Exception {
    YipDocument doc = Yip.strict().parse("""
        name: deb
        stages:
          after-install:
          - name: not-here
            if: "test -e /nonexistent"
            commands: ["touch /should-not-exist"]
          - name: here
            if: "grep -q bookworm /etc/os-release"
            only_os: "Debian.*"
            commands:
            - "echo {{ .Values.os.vendor }} {{ .Values.os.version }} > /tmp/vendor"
            - "id -u > /tmp/uid"
            - "exit 4"
            - "echo still ran > /tmp/after-failure"
          - name: users
            users:
              alice: {passwd: "correct horse", groups: [users], shell: /bin/bash}
            files:
            - {path: /etc/motd, content: "hello {{ .Values.os.name }}\\n", permissions: 0644}
          - name: check
            commands:
            - "pwck -r -q > /tmp/pwck 2>&1; echo $? >> /tmp/pwck"
            - "grpck -r > /tmp/grpck 2>&1; echo $? >> /tmp/grpck"
            - "getent passwd alice > /tmp/getent"
            - "id -Gn alice > /tmp/groups"
            - "perl -e '@f = split /:/, `grep ^alice: /etc/shadow`; print crypt(\\"correct horse\\", $f[1]) eq $f[1] ? \\"match\\" : \\"differ\\"' > /tmp/crypt"
            - "stat -c '%u:%g %a' /home/alice > /tmp/home"
        """, "deb.yaml");
    YipReport r = YipExecutor.builder().runner(Runners.chroot()).architecture("amd64")
        .sourceDate(SourceDate.of(Instant.parse("2026-11-22T00:00:00Z"))).build()
        .run(root, "after-install", List.of(doc));

    assertThat(r.steps()).extracting(YipReport.StepResult::status).containsExactly(YipReport.Status.SKIPPED,
        YipReport.Status.FAILED, YipReport.Status.APPLIED, YipReport.Status.APPLIED);
    assertThat(r.steps().get(0).reason()).contains("exited 1");
    assertThat(root.exists(ImagePath.of("/should-not-exist"))).isFalse();
    assertThat(r.steps().get(1).errors()).singleElement().asString().contains("exit code 4");
    assertThat(read("/tmp/vendor")).isEqualTo("debian 12\n");
    assertThat(read("/tmp/uid")).isEqualTo("0\n");
    assertThat(read("/tmp/after-failure")).isEqualTo("still ran\n");
    assertThat(read("/etc/motd")).startsWith("hello Debian GNU/Linux 12");
    assertThat(read("/tmp/pwck")).endsWith("0\n");
    assertThat(read("/tmp/grpck")).endsWith("0\n");
    assertThat(read("/tmp/getent")).isEqualTo("alice:x:1000:1000:Created by entities:/home/alice:/bin/bash\n");
    assertThat(read("/tmp/groups")).isEqualTo("alice users\n");
    assertThat(read("/tmp/crypt")).isEqualTo("match");
    assertThat(read("/tmp/home")).isEqualTo("1000:1000 755\n");
  }
}
