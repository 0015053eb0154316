package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.factory.core.api.distro.DistroInfo;
import dev.kairos.factory.core.api.distro.Distros;
import dev.kairos.factory.core.api.distro.PackageManager;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.FileType;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.CommandRunner;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ca-certificates installed by apt into two copies of the Debian minbase fixture, as
 * installPackages does, without and with Debian's install shims: with them
 * {@code update-ca-certificates} runs once instead of twice, and the certificates, links, bundle
 * and settings are the same bytes. Then, on the installed root, the shim still runs the real one
 * when a hook is installed or a certificate was added.
 */
class UpdateCaCertificatesOnceIT {
  private static final String UPDATING = "Updating certificates in /etc/ssl/certs...";
  private Path scratch;

  @BeforeEach
  void setUp() throws IOException {
    DebianFixture.assumeUsable();
    scratch = Scratch.create("ca-once-it-");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (scratch != null) {
      assertThat(Scratch.delete(scratch)).as("mounts left behind").isEmpty();
    }
  }

  @Test
  void caCertificatesInstallsWithOneRunAndTheSameBytes() throws Exception {
    RootFs plain = DebianFixture.extract(DebianFixture.minbaseTarball(), scratch.resolve("plain"));
    RootFs shimmed = DebianFixture.extract(DebianFixture.minbaseTarball(), scratch.resolve("shimmed"));
    List<String> localSbin = plain.list(ImagePath.of("/usr/local/sbin"));

    Install before = install(plain, false);
    Install after = install(shimmed, true);
    System.out.printf(Locale.ROOT, "UpdateCaCertificatesOnceIT: apt-get install ca-certificates %.1f s, "
        + "update-ca-certificates ran %d times (trigger %.1f s); with the shims %.1f s, %d time (trigger %.1f s)%n",
        before.seconds, before.runs(), before.triggerSeconds(), after.seconds, after.runs(), after.triggerSeconds());

    assertThat(before.runs()).as(before.lines.toString()).isEqualTo(2);
    assertThat(after.runs()).as(after.lines.toString()).isEqualTo(1);
    assertThat(after.lines).anyMatch(l -> l.contains("not run again"));
    assertThat(certificates(shimmed)).isNotEmpty().containsExactlyEntriesOf(certificates(plain));
    assertThat(shimmed.list(ImagePath.of("/usr/local/sbin"))).as("no shim left").isEqualTo(localSbin);

    // On the installed root: the second, plain run is skipped only while it would change nothing.
    CommandRunner chroot = Runners.chroot();
    PackageManager apt = new DebianStrategy().packageManager(Distros.detect(shimmed));
    writeShims(shimmed, apt);
    try {
      assertThat(run(chroot, shimmed, "update-ca-certificates --hooksdir ''; update-ca-certificates"))
          .contains("not run again");
      shimmed.write(ImagePath.of("/etc/ca-certificates/update.d/test-hook"),
          "#!/bin/sh\necho hook ran > /etc/hook-ran\n".getBytes(StandardCharsets.UTF_8), 0755);
      assertThat(run(chroot, shimmed, "update-ca-certificates --hooksdir ''; update-ca-certificates"))
          .as("a hook to run").doesNotContain("not run again").contains("Running hooks");
      assertThat(shimmed.exists(ImagePath.of("/etc/hook-ran"))).isTrue();
      shimmed.delete(ImagePath.of("/etc/ca-certificates/update.d/test-hook"));

      String local = shimmed.readString(ImagePath.of("/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt"));
      String out = run(chroot, shimmed, "update-ca-certificates --hooksdir ''; "
          + "cp /usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt /usr/local/share/ca-certificates/local.crt; "
          + "update-ca-certificates");
      assertThat(out).as("a certificate added").doesNotContain("not run again").contains("1 added");
      assertThat(shimmed.readString(ImagePath.of("/etc/ssl/certs/ca-certificates.crt"))).endsWith(local);
    } finally {
      for (PackageManager.TemporaryFile f : apt.installShims()) {
        shimmed.delete(f.path());
      }
    }
  }

  /** What installPackages does for the one package: the blockers (and shims) in place, refresh, install. */
  private static Install install(RootFs root, boolean shims) throws IOException {
    DistroInfo info = Distros.detect(root);
    PackageManager apt = new DebianStrategy().packageManager(info);
    List<String> lines = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    for (PackageManager.TemporaryFile f : apt.serviceStartBlockers()) {
      root.write(f.path(), f.content().getBytes(StandardCharsets.UTF_8), f.mode());
    }
    if (shims) {
      writeShims(root, apt);
    }
    CommandRunner chroot = Runners.chroot();
    long start;
    long end;
    try {
      chroot.run(root, apt.refresh().toBuilder().timeout(Duration.ofMinutes(10)).build()).requireSuccess();
      start = System.nanoTime();
      chroot.run(root, apt.install(List.of("ca-certificates")).toBuilder().timeout(Duration.ofMinutes(20))
          .output(e -> {
            if (e instanceof KairosEvent.CommandOutput o) {
              synchronized (lines) {
                lines.add(o.line());
                times.add(System.nanoTime());
              }
            }
          }).build()).requireSuccess();
      end = System.nanoTime();
    } finally {
      List<PackageManager.TemporaryFile> all = new ArrayList<>(apt.serviceStartBlockers());
      all.addAll(apt.installShims());
      for (PackageManager.TemporaryFile f : all) {
        root.deleteRecursively(f.path()); // as installPackages removes them
      }
    }
    return new Install(lines, times, (end - start) / 1e9);
  }

  private static void writeShims(RootFs root, PackageManager apt) throws IOException {
    assertThat(apt.installShims()).isNotEmpty();
    for (PackageManager.TemporaryFile f : apt.installShims()) {
      root.write(f.path(), f.content().getBytes(StandardCharsets.UTF_8), f.mode());
    }
  }

  private static String run(CommandRunner chroot, RootFs root, String script) throws IOException {
    StringBuilder out = new StringBuilder();
    chroot.run(root, Command.of("/bin/sh", "-ec", script).toBuilder().timeout(Duration.ofMinutes(10))
        .output(e -> {
          if (e instanceof KairosEvent.CommandOutput o) {
            synchronized (out) {
              out.append(o.line()).append('\n');
            }
          }
        }).build()).requireSuccess();
    return out.toString();
  }

  /** apt's output with the time each line came, and the whole install's seconds. */
  private record Install(List<String> lines, List<Long> times, double seconds) {
    long runs() {
      return lines.stream().filter(UPDATING::equals).count();
    }

    /** From "Processing triggers for ca-certificates" to the trigger's last line. */
    double triggerSeconds() {
      int from = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).startsWith("Processing triggers for ca-certificates")) {
          from = i;
        } else if (from >= 0 && (lines.get(i).equals("done.") || lines.get(i).contains("not run again"))) {
          return (times.get(i) - times.get(from)) / 1e9;
        }
      }
      return Double.NaN;
    }
  }

  /** Every entry of /etc/ssl/certs and the settings: type, mode, owner, link target, content digest. */
  private static Map<String, String> certificates(RootFs root) throws IOException {
    Map<String, String> m = new TreeMap<>();
    for (String dir : List.of("/etc/ssl/certs", "/etc/ca-certificates.conf", "/usr/local/share/ca-certificates")) {
      root.walk(ImagePath.of(dir), e -> {
        StringBuilder line = new StringBuilder().append(e.type()).append(' ')
            .append(Integer.toOctalString(e.metadata().mode())).append(' ').append(e.metadata().uid()).append(':')
            .append(e.metadata().gid()).append(' ').append(e.symlinkTarget().orElse(""));
        if (e.type() == FileType.REGULAR) {
          try (InputStream in = e.openContent()) {
            line.append(' ').append(HexFormat.of().formatHex(sha256(in.readAllBytes())));
          }
        }
        m.put(e.path().toString(), line.toString());
      });
    }
    return m;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
