package dev.kairos.factory.distros.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.factory.core.api.FrameworkSource;
import dev.kairos.factory.core.api.Kairos;
import dev.kairos.factory.core.api.KairosBuild;
import dev.kairos.factory.core.api.StepFailedException;
import dev.kairos.factory.core.api.distro.DistroStrategy;
import dev.kairos.factory.core.api.distro.Family;
import dev.kairos.factory.core.api.distro.PackageSelection;
import dev.kairos.factory.core.api.distro.PackageSet;
import dev.kairos.factory.core.api.event.KairosEvent;
import dev.kairos.factory.core.api.fs.ImagePath;
import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.api.run.Command;
import dev.kairos.factory.core.api.run.Runners;
import dev.kairos.factory.core.api.validate.ValidationReport;
import dev.kairos.factory.core.internal.run.HostTool;
import dev.kairos.factory.core.it.DebianFixture;
import dev.kairos.factory.core.it.Scratch;
import dev.kairos.factory.core.testing.SyntheticFramework;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kairosifies a real debootstrapped Debian bookworm through the chroot runner: the real package
 * lists from the mirror, a real kernel, a dracut-built initrd with the immucore module (from the
 * synthetic framework), a stage extension that adds a systemd unit, and {@code validate} with
 * lsinitrd inside the image. The result is cached as {@code debian-bookworm-kairos-v1.tar.zst} in
 * the test cache for the boot tests. Needs root, debootstrap and the Debian mirror.
 */
class KairosifyDebianIT {
  static final String CACHED = "debian-bookworm-kairos-v1.tar.zst";
  Path scratch;

  @BeforeEach
  void setUp() throws IOException {
    DebianFixture.assumeUsable();
    scratch = Scratch.create("kairosify-");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (scratch != null) {
      assertThat(Scratch.delete(scratch)).as("mounts left behind").isEmpty();
    }
  }

  @Test
  void debianBookwormBecomesAValidKairosImage() throws Exception {
    long t0 = System.nanoTime();
    RootFs root = DebianFixture.extract(DebianFixture.minbaseTarball(), scratch.resolve("root"));
    long t1 = System.nanoTime();
    RootFs framework = RootFs.at(Files.createDirectories(scratch.resolve("framework")));
    SyntheticFramework.writeTo(framework);
    Path extensions = Files.createDirectories(scratch.resolve("extensions"));
    Files.writeString(extensions.resolve("10-marker.yaml"), """
        stages:
          after-install:
            - name: marker unit
              files:
                - path: /etc/systemd/system/kairos-it-marker.service
                  permissions: 0644
                  content: |
                    [Unit]
                    Description=Kairos IT marker
                    [Service]
                    Type=oneshot
                    ExecStart=/bin/echo kairos-it-marker
                    [Install]
                    WantedBy=multi-user.target
              systemctl:
                enable:
                  - kairos-it-marker
        """);
    Path log = scratch.resolve("build.log");
    List<String> steps = new ArrayList<>();
    try (BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        KairosBuild build = Kairos.fromRoot(root).distros(Strategies.all()).runner(Runners.chroot())
            .version("v1.0.0").framework(FrameworkSource.directory(framework.root())).stageExtensions(extensions)
            .onEvent(e -> {
              if (e instanceof KairosEvent.StepFinished f && !f.skipped()) {
                steps.add(f.step() + " " + f.took().toSeconds() + "s");
              }
              try {
                out.write(e instanceof KairosEvent.CommandOutput o ? o.line() : e.toString());
                out.newLine();
              } catch (IOException x) {
                throw new java.io.UncheckedIOException(x);
              }
            }).build()) {
      long t2 = System.nanoTime();
      System.out.printf("KairosifyDebianIT: base %d s, kairosify %d s; steps %s%n",
          Duration.ofNanos(t1 - t0).toSeconds(), Duration.ofNanos(t2 - t1).toSeconds(), steps);

      ValidationReport report = build.validate();
      assertThat(report.failures()).as(report.toString()).isEmpty();

      String kernel = root.readSymlink(ImagePath.of("/boot/vmlinuz"));
      assertThat(kernel).matches("/boot/vmlinuz-6\\.1\\..*-amd64");
      assertThat(root.metadata(ImagePath.of(kernel)).size()).isGreaterThan(5_000_000);
      assertThat(root.isRegularFile(ImagePath.of("/boot/initrd"))).isTrue();
      assertThat(root.stat(ImagePath.of("/boot/initrd")).orElseThrow().type())
          .isEqualTo(dev.kairos.factory.core.api.fs.FileType.REGULAR);
      StringBuilder listing = new StringBuilder();
      Runners.chroot().run(root, Command.builder("lsinitrd", "/boot/initrd").output(e -> {
        if (e instanceof KairosEvent.CommandOutput o) {
          listing.append(o.line()).append('\n');
        }
      }).build()).requireSuccess();
      assertThat(listing).contains("usr/bin/immucore").contains("immucore.service").contains("dmsquash-live");
      // zstd (dracut --zstd), not the xz of kairos-init's dracut configuration
      try (java.io.InputStream in = Files.newInputStream(root.root().resolve("boot/initrd"))) {
        assertThat(in.readNBytes(4)).containsExactly(0x28, 0xb5, 0x2f, 0xfd);
      }
      // dpkg's --force-unsafe-io was an option of the build's apt-get runs only: no configuration keeps it
      for (String dir : List.of("etc/dpkg/dpkg.cfg.d", "etc/apt/apt.conf.d")) {
        try (var files = Files.list(root.root().resolve(dir))) {
          for (Path f : files.filter(Files::isRegularFile).toList()) {
            assertThat(Files.readString(f)).as(f.toString()).doesNotContain("unsafe-io");
          }
        }
      }
      assertThat(Files.readString(root.root().resolve("etc/dpkg/dpkg.cfg"))).doesNotContain("unsafe-io");
      // the lock's file facts, listed in one apt call: every package the install phase fetched has its hash
      assertThat(build.lock().orElseThrow().packages().values()).filteredOn(p -> p.name().equals("dracut-core")
          || p.name().startsWith("linux-image-")).isNotEmpty().allSatisfy(p -> assertThat(p.sha256()).isPresent());

      assertThat(build.kairosRelease()).containsEntry("KAIROS_VERSION", "v1.0.0").containsEntry("KAIROS_RELEASE", "v1.0.0")
          .containsEntry("KAIROS_FLAVOR", "debian").containsEntry("KAIROS_FLAVOR_RELEASE", "12")
          .containsEntry("KAIROS_FAMILY", "debian").containsEntry("KAIROS_NAME", "kairos-core-debian-12")
          .containsEntry("KAIROS_VARIANT", "core").containsEntry("KAIROS_MODEL", "generic");
      assertThat(root.readString(ImagePath.of("/etc/kairos-release"))).contains("KAIROS_FLAVOR_RELEASE=12\n");
      assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/multi-user.target.wants/kairos-it-marker.service")))
          .endsWith("kairos-it-marker.service");
      assertThat(root.readSymlink(ImagePath.of("/etc/systemd/system/multi-user.target.wants/ssh.service")))
          .endsWith("/ssh.service");
      assertThat(root.readString(ImagePath.of("/etc/machine-id"))).isEmpty();
      // what made two builds differ is gone or reset for the first boot
      for (String gone : List.of("/var/log/dpkg.log", "/var/log/apt/history.log", "/var/log/apt/term.log",
          "/var/log/alternatives.log", "/var/cache/ldconfig/aux-cache")) {
        assertThat(root.exists(ImagePath.of(gone))).as(gone).isFalse();
      }
      assertThat(root.readString(ImagePath.of("/etc/iscsi/initiatorname.iscsi")))
          .contains("GenerateName=yes").doesNotContain("InitiatorName=");
      cache(root.root());
    }
  }

  /** Keeps the result for the boot tests: written under a temporary name, then renamed. */
  private static void cache(Path root) throws IOException {
    Path target = DebianFixture.cacheDir().resolve(CACHED);
    Path partial = Files.createTempFile(DebianFixture.cacheDir(), CACHED, ".partial");
    HostTool.run(Duration.ofMinutes(10), "tar", "--numeric-owner", "--xattrs", "--xattrs-include=*", "--zstd",
        "-cf", partial.toString(), "-C", root.toString(), ".");
    Files.setPosixFilePermissions(partial, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void aPackageThatDoesNotExistStopsTheBuildAtInstallPackages() throws Exception {
    RootFs root = DebianFixture.extract(DebianFixture.minbaseTarball(), scratch.resolve("root"));
    DistroStrategy debian = Strategies.all().stream().filter(s -> s.family() == Family.DEBIAN).findFirst().orElseThrow();
    DistroStrategy broken = withExtraPackage(debian, "kairos-no-such-package");
    assertThatThrownBy(() -> Kairos.fromRoot(root).distros(Stream.concat(Strategies.all().stream()
            .filter(s -> s.family() != Family.DEBIAN), Stream.of(broken)).toList())
        .runner(Runners.chroot()).version("v1.0.0").build())
        .isInstanceOfSatisfying(StepFailedException.class, e -> {
          assertThat(e.step()).isEqualTo("installPackages");
          assertThat(e.command()).get().satisfies(c -> {
            assertThat(c.exitCode()).isEqualTo(100);
            assertThat(c.command()).contains("kairos-no-such-package");
            assertThat(c.outputTail()).contains("Unable to locate package kairos-no-such-package");
          });
          assertThat(e.getMessage()).contains("left as it was before the build");
        });
    assertThat(root.exists(ImagePath.of("/etc/kairos"))).isFalse();
    assertThat(root.exists(ImagePath.of("/etc/kairos-release"))).isFalse();
  }

  /** {@code strategy}, with one more base package. */
  private static DistroStrategy withExtraPackage(DistroStrategy strategy, String extra) {
    return (DistroStrategy) Proxy.newProxyInstance(KairosifyDebianIT.class.getClassLoader(),
        new Class<?>[] {DistroStrategy.class}, (proxy, method, args) -> {
          Object result;
          try {
            result = method.invoke(strategy, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
          if (method.getName().equals("packages") && args[0] instanceof PackageSelection) {
            PackageSet s = (PackageSet) result;
            List<String> distro = new ArrayList<>(s.distro());
            distro.add(extra);
            return new PackageSet(s.common(), distro, s.grub(), s.immucore(), s.systemdBoot(), s.kernel());
          }
          return result;
        });
  }
}
